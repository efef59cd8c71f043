"""Date and DateTime as the built-in scalars, plus the bounds of server.domain.timebounds: a value out
of them is a coercion error (BAD_USER_INPUT naming the argument), never an overflow deep inside."""
from __future__ import annotations

import datetime as dt
from typing import NewType

import dateutil.parser
import strawberry
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition

from server.domain.timebounds import check_date, check_datetime



def _parse_datetime(v: str) -> dt.datetime:
    """ISO 8601 as dateutil reads it; the standard library's C parser first, since it reads the common forms
    the same and a readings batch carries tens of thousands of them (dateutil's pure-Python parser was most
    of an ingest request's time). What it refuses (e.g. 24:00, week dates) goes to dateutil as before."""
    try:
        return dt.datetime.fromisoformat(v)
    except (ValueError, TypeError):
        return dateutil.parser.isoparse(v)


DateTime = DateTimeDefinition.__class__(**{**vars(DateTimeDefinition), "parse_value": wrap_parser(
    lambda v: check_datetime(_parse_datetime(v)), "DateTime", (ValueError, OverflowError))})
Date = DateDefinition.__class__(**{**vars(DateDefinition), "parse_value": wrap_parser(
    lambda v: check_date(dt.date.fromisoformat(v)), "Date", (ValueError, OverflowError))})



def _output_only(name: str):
    def parse(_value):
        raise ValueError(f"{name} is an output type")
    return parse


# Whole columns as one JSON array each: graphql-core completes a list item by item (~3 µs each), which
# for 60,000 outfalls x 6 columns is most of a second; a scalar is serialized once. Declared as NewTypes
# (what fields are annotated with) mapped to their definitions in OVERRIDES, strawberry's typed way.
IntColumn = NewType("IntColumn", list)
FloatColumn = NewType("FloatColumn", list)
StringColumn = NewType("StringColumn", list)

OVERRIDES: dict[object, ScalarDefinition] = {
    dt.datetime: DateTime, dt.date: Date,
    IntColumn: strawberry.scalar(name="IntColumn", serialize=list, parse_value=_output_only("IntColumn"),
                                 description="A JSON array of integers (one column of a columnar result)."),
    FloatColumn: strawberry.scalar(name="FloatColumn", serialize=list, parse_value=_output_only("FloatColumn"),
                                   description="A JSON array of numbers (one column of a columnar result)."),
    StringColumn: strawberry.scalar(name="StringColumn", serialize=list, parse_value=_output_only("StringColumn"),
                                    description="A JSON array of strings (one column of a columnar result)."),
}
