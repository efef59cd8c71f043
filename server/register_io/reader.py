"""Census files -> a header row and numbered data rows: CSV (UTF-8 with or without BOM, GBK), XLSX, GeoJSON."""
from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator


class FileError(ValueError):
    """The file as a whole cannot be read (format, encoding, no header)."""


@dataclass
class Table:
    kind: str  # csv | xlsx | geojson
    detail: str  # the encoding, the sheet, or the coordinate system read
    headers: list
    rows: Iterator[tuple[int, list]]  # (line number as the user sees it, cells)
    total: int | None = None  # data rows, when known up front (for the progress bar)
    _close: list = field(default_factory=list)

    def close(self) -> None:
        for c in self._close:
            c()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_table(path: Path, *, sheet: str | None = None) -> Table:
    path = Path(path)
    if not path.is_file():
        raise FileError(f"no such file: {path}")
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        magic = f.read(4)
    if suffix == ".xls":
        raise FileError(f"{path.name}: the old .xls format is not read; save it as .xlsx or CSV")
    if magic.startswith(b"PK") or suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, sheet)
    if suffix in (".geojson", ".json"):
        return _geojson(path)
    return _csv(path)


def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding found: a BOM decides; else UTF-8 if it decodes, else GBK (as GB 18030)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gbk"
    except UnicodeDecodeError as e:
        raise FileError(f"the file is neither UTF-8 nor GBK text (byte {e.start})") from None


def _csv(path: Path) -> Table:
    text, enc = decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    delim = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        headers = next(reader)
    except StopIteration:
        raise FileError(f"{path.name} is empty") from None
    records = []
    line = reader.line_num + 1
    for rec in reader:  # a quoted cell may span lines: number each row by the line it starts on
        if any(c.strip() for c in rec):
            records.append((line, rec))
        line = reader.line_num + 1
    return Table("csv", enc, headers, iter(records), len(records))


def _xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as e:
        raise FileError(f"{path.name} is not a readable .xlsx workbook: {e}") from None
    if sheet is not None and sheet not in wb.sheetnames:
        wb.close()
        raise FileError(f"no sheet {sheet!r} in {path.name}; it has {', '.join(wb.sheetnames)}")
    ws = wb[sheet] if sheet else wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        headers = list(next(it))
    except StopIteration:
        wb.close()
        raise FileError(f"sheet {ws.title!r} of {path.name} is empty") from None

    def rows():
        for n, r in enumerate(it, start=2):
            if any(c is not None and str(c).strip() for c in r):
                yield n, list(r)

    total = (ws.max_row - 1) if ws.max_row else None
    return Table("xlsx", f"sheet {ws.title}", headers, rows(), total, [wb.close])


def _geojson(path: Path) -> Table:
    from server.domain.geo.crs import gcj02_to_wgs84

    try:
        doc = json.loads(decode(path.read_bytes())[0])
    except json.JSONDecodeError as e:
        raise FileError(f"{path.name} is not JSON: {e}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or \
            not isinstance(doc.get("features"), list):
        raise FileError(f"{path.name} is not a GeoJSON FeatureCollection")
    crs = str(doc.get("coordinateSystem") or "WGS84").upper()
    if crs not in ("WGS84", "GCJ02"):
        raise FileError(f"{path.name}: coordinateSystem {crs!r} is not read; WGS84 (RFC 7946) or GCJ02")
    from server.register_io.headers import field_for

    keys: list[str] = []
    for feat in doc["features"]:
        for k in (feat.get("properties") or {}) if isinstance(feat, dict) else ():
            if k not in keys and field_for(k) not in ("lon", "lat"):
                keys.append(k)
    headers = [*keys, "lon", "lat"]

    def rows():
        for n, feat in enumerate(doc["features"], start=1):
            feat = feat if isinstance(feat, dict) else {}
            props = feat.get("properties") or {}
            geom = feat.get("geometry") or {}
            coords = geom.get("coordinates") if geom.get("type") == "Point" else None
            if isinstance(coords, list) and len(coords) >= 2 and all(isinstance(c, (int, float)) for c in coords[:2]):
                lon, lat = float(coords[0]), float(coords[1])
                if crs == "GCJ02":
                    lat, lon = gcj02_to_wgs84(lat, lon)
            else:
                lon = lat = f"<{geom.get('type') or 'no'} geometry>"
            yield n, [*(props.get(k) for k in keys), lon, lat]

    return Table("geojson", crs, headers, rows(), len(doc["features"]))
