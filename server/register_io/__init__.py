"""The register in and out: census spreadsheets imported in bulk; GeoJSON, CSV and Excel exports.

headers.py   the columns and the header names (Chinese or English) the importer accepts
values.py    cell text -> register values (categories, rivers, districts, numbers), with reasons
reader.py    CSV (UTF-8, BOM, GBK), XLSX and GeoJSON files -> numbered rows
importer.py  validate every row, then write in bulk in one transaction; the report
exporter.py  the register and the task ledger streamed as GeoJSON, CSV and XLSX
routes.py    GET /export/outfalls.{geojson,csv,xlsx} and /export/tasks.{csv,xlsx}
cli.py       `outfallwatch import-outfalls FILE`
"""
