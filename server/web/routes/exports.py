"""GET /export/outfalls.{geojson,csv,xlsx} and /export/tasks.{csv,xlsx}: streamed, behind the API's Bearer token.

Query parameters (all optional):
  outfalls  riverCode, districtCode, category, phase, status, search, bbox=south,west,north,east
            (the `outfalls` GraphQL query's filter); .geojson also crs=WGS84 (default, RFC 7946) | GCJ02 | BD09
  tasks     status (comma-separated), districtCode, kind, overdue=true|false; district roles see their district only
A bad or unknown parameter is HTTP 400 with {"error": ..., "parameter": ...}; no valid token is 401.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from server.domain.errors import BadInput, DomainError, Forbidden, RateLimited, Unauthenticated
from server.domain.geo.crs import CRS_NAMES
from server.domain.geo.models import District, River
from server.domain.outfalls.service import OutfallFilter, _check_filter
from server.domain.permissions import require
from server.domain.tasks.models import KINDS
from server.domain.tasks.service import TaskFilter
from server.web.auth import authenticate, bearer
from server.register_io import exporter

OUTFALL_PARAMS = {"riverCode": "river_code", "districtCode": "district_code", "category": "category",
                  "phase": "phase", "status": "status", "search": "search", "bbox": "bbox"}
TASK_STATUSES = ("OPEN", "IN_PROGRESS", "SUBMITTED", "REJECTED", "APPROVED", "CANCELLED")
STATUS_CODES = {Unauthenticated: 401, Forbidden: 403, BadInput: 400, RateLimited: 429}


def _bad(parameter: str, message: str) -> BadInput:
    return BadInput(message, field=parameter)


def _error(e: DomainError) -> Response:
    status = next((c for t, c in STATUS_CODES.items() if isinstance(e, t)), 400)
    body = {"error": e.message, "code": e.code}
    if e.field:
        body["parameter"] = e.field
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def _check_names(params, allowed: set[str]) -> None:
    for k in params.keys():
        if k not in allowed:
            raise _bad(k, f"unknown parameter {k!r}; expected one of {', '.join(sorted(allowed))}")
        if len(params.getlist(k)) > 1:
            raise _bad(k, f"parameter {k!r} given more than once")


def _bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        parts = tuple(float(p) for p in raw.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4:
        raise _bad("bbox", f"bbox must be four numbers south,west,north,east; got {raw!r}")
    return parts  # type: ignore[return-value]


async def _known(db, model, code: str | None, parameter: str) -> None:
    if code is not None:
        async with db.session() as s:
            if await s.get(model, code) is None:
                raise _bad(parameter, f"unknown {parameter} {code!r}")


async def outfall_filter(db, params, extra: set[str] = frozenset()) -> OutfallFilter:
    """Query parameters -> the GraphQL filter, checked by the service's own rules."""
    _check_names(params, set(OUTFALL_PARAMS) | extra)
    f = OutfallFilter(**{attr: params.get(p) or None for p, attr in OUTFALL_PARAMS.items() if p != "bbox"})
    if params.get("bbox"):
        f.bbox = _bbox(params["bbox"])
    try:
        _check_filter(f)
    except BadInput as e:  # field "filter.category" -> parameter "category"
        name = (e.field or "").removeprefix("filter.")
        raise _bad({v: k for k, v in OUTFALL_PARAMS.items()}.get(name, name), e.message) from None
    await _known(db, River, f.river_code, "riverCode")
    await _known(db, District, f.district_code, "districtCode")
    return f


async def task_filter(db, params) -> TaskFilter:
    _check_names(params, {"status", "districtCode", "kind", "overdue"})
    tf = TaskFilter(district_code=params.get("districtCode") or None, kind=params.get("kind") or None)
    if params.get("status"):
        tf.status = [s.strip() for s in params["status"].split(",") if s.strip()]
        for s in tf.status:
            if s not in TASK_STATUSES:
                raise _bad("status", f"status {s!r} is not one of {', '.join(TASK_STATUSES)}")
    if tf.kind is not None and tf.kind not in KINDS:
        raise _bad("kind", f"kind {tf.kind!r} is not one of {', '.join(KINDS)}")
    if "overdue" in params:
        v = params["overdue"].lower()
        if v not in ("true", "false"):
            raise _bad("overdue", f"overdue must be true or false; got {params['overdue']!r}")
        tf.overdue = v == "true"
    await _known(db, District, tf.district_code, "districtCode")
    return tf


def export_routes(services) -> list[Route]:
    db = services.db

    async def actor_of(request: Request):
        token = bearer(request.headers)
        if not token:
            raise Unauthenticated("sign in first: send Authorization: Bearer <token>")
        async with db.session() as s:
            return await authenticate(services, s, token, request.client.host if request.client else None)

    def stream(body, media_type: str, filename: str) -> StreamingResponse:
        return StreamingResponse(body, media_type=media_type, headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})

    async def outfalls(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        try:
            actor = await actor_of(request)
            require(actor, "outfall.read")
            params = request.query_params
            f = await outfall_filter(db, params, {"crs"} if fmt == "geojson" else set())
            if fmt == "geojson":
                crs = (params.get("crs") or "WGS84").upper()
                if crs not in CRS_NAMES:
                    raise _bad("crs", f"crs {params['crs']!r} is not one of {', '.join(CRS_NAMES)}")
                return stream(exporter.outfalls_geojson(db, f, crs), "application/geo+json", "outfalls.geojson")
        except DomainError as e:
            return _error(e)
        if fmt == "csv":
            return stream(exporter.outfalls_csv(db, f), "text/csv; charset=utf-8", "outfalls.csv")
        return stream(exporter.outfalls_xlsx(db, f), exporter.XLSX_TYPE, "outfalls.xlsx")

    async def tasks(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        try:
            actor = await actor_of(request)
            require(actor, "task.read", actor.district_code)  # as list_tasks: the scope is applied in the query
            tf = await task_filter(db, request.query_params)
        except DomainError as e:
            return _error(e)
        if fmt == "csv":
            return stream(exporter.tasks_csv(db, actor, tf), "text/csv; charset=utf-8", "tasks.csv")
        return stream(exporter.tasks_xlsx(db, actor, tf), exporter.XLSX_TYPE, "tasks.xlsx")

    return [Route("/export/outfalls.{fmt:str}", _only(outfalls, {"geojson", "csv", "xlsx"}), methods=["GET"]),
            Route("/export/tasks.{fmt:str}", _only(tasks, {"csv", "xlsx"}), methods=["GET"])]


def _only(handler, formats: set[str]):
    async def route(request: Request) -> Response:
        if request.path_params["fmt"] not in formats:
            return JSONResponse({"error": f"no such export; formats: {', '.join(sorted(formats))}"}, status_code=404)
        return await handler(request)

    return route
