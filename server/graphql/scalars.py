"""Date and DateTime as the built-in scalars, plus the bounds of server.domain.timebounds: a value out
of them is a coercion error (BAD_USER_INPUT naming the argument), never an overflow deep inside."""
from __future__ import annotations

import datetime as dt

import dateutil.parser
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition, wrap_parser

from server.domain.timebounds import check_date, check_datetime

DateTime = DateTimeDefinition.__class__(**{**vars(DateTimeDefinition), "parse_value": wrap_parser(
    lambda v: check_datetime(dateutil.parser.isoparse(v)), "DateTime", (ValueError, OverflowError))})
Date = DateDefinition.__class__(**{**vars(DateDefinition), "parse_value": wrap_parser(
    lambda v: check_date(dt.date.fromisoformat(v)), "Date", (ValueError, OverflowError))})

OVERRIDES = {dt.datetime: DateTime, dt.date: Date}
