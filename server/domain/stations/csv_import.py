"""Bulk CSV of readings, long form: station_code, observed_at, parameter, value[, flag] (header row required).

The whole file is one transaction: any bad line writes nothing and names the line. Rows are grouped
into series of at most ingest.MAX_VALUES values and ingested like the API's batches (same idempotency).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from server.domain.errors import BadInput
from server.domain.stations.ingest import MAX_VALUES, IngestResult, Series, ingest

COLUMNS = ("station_code", "observed_at", "parameter", "value")


@dataclass
class CsvReport:
    rows: int
    result: IngestResult


def _chunks(path: Path):
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise BadInput(f"{path.name}: the header lacks {', '.join(missing)}", field="file")
        ix = {c: header.index(c) for c in (*COLUMNS, "flag") if c in header}
        series: dict[tuple[str, str], Series] = {}
        flags: dict[tuple[str, str], list[str]] = {}  # each series' flags (Series.flags may be None elsewhere)
        times: dict[str, datetime] = {}  # a file repeats each slot time once per station and parameter
        n = 0
        for line, row in enumerate(reader, start=2):
            if not row or not any(c.strip() for c in row):
                continue
            try:
                code, param = row[ix["station_code"]].strip(), row[ix["parameter"]].strip().upper()
                raw_t = row[ix["observed_at"]]
                t = times.get(raw_t)
                if t is None:
                    t = times[raw_t] = datetime.fromisoformat(raw_t.strip())
                raw = row[ix["value"]].strip()
                v = float(raw) if raw else None
                flag = row[ix["flag"]].strip().upper() or None if "flag" in ix and ix["flag"] < len(row) else None
            except (ValueError, IndexError) as e:
                raise BadInput(f"line {line}: {e}", field="file") from None
            s = series.get((code, param))
            if s is None:
                flags[(code, param)] = []
                s = series[(code, param)] = Series(code, param, [], [], flags[(code, param)])
            s.observed_at.append(t)
            s.values.append(v)
            flags[(code, param)].append(flag or ("VALID" if v is not None else "MISSING"))
            n += 1
            if n % MAX_VALUES == 0:
                yield line, list(series.values())
                series, flags = {}, {}
        if series:
            yield None, list(series.values())


async def import_csv(*, db, settings, path: Path) -> CsvReport:
    total = IngestResult()
    rows = 0
    async with db.transaction() as s:
        for line, batch in _chunks(Path(path)):
            try:
                r = await ingest(session=s, actor=None, settings=settings, series=batch)
            except BadInput as e:
                where = f"in the rows up to line {line}" if line else "in the last rows"
                raise BadInput(f"{e.message} ({where})", field=e.field) from None
            rows += sum(len(x.values) for x in batch)
            total.inserted += r.inserted
            total.updated += r.updated
            total.unchanged += r.unchanged
            total.suspect += r.suspect
    return CsvReport(rows, total)
