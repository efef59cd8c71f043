"""GET /export/outfalls.{geojson,csv,xlsx} and /export/tasks.{csv,xlsx}: streamed, behind the API's Bearer token.

Query parameters (all optional):
  outfalls  riverCode, districtCode, category, phase, status, search, bbox=south,west,north,east
            updatedSince (ISO 8601 with offset) (the `outfalls` GraphQL query's filter); .geojson also crs=WGS84 (default, RFC 7946) | GCJ02 | BD09
  tasks     status (comma-separated), districtCode, kind, overdue=true|false, updatedSince; district roles see their district only
The filters are parsed and checked by the domain's query builders, as the GraphQL filters are: the same
values are refused with the same message. Errors come in the GraphQL shape,
{"errors": [{"message", "extensions": {"code", "field"}}]}: a bad or unknown parameter is HTTP 400
(BAD_USER_INPUT, field = the parameter), no valid token 401, a forbidden one 403.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from server.domain.errors import BadInput, DomainError, Forbidden, NotFound, RateLimited, Unauthenticated
from server.domain.geo.crs import CRS_NAMES
from server.domain.media import provenance
from server.domain.outfalls.queries import PARAMETERS as OUTFALL_PARAMETERS
from server.domain.outfalls.queries import OutfallFilter, validate_outfall_filter
from server.domain.permissions import require
from server.domain.tasks.queries import PARAMETERS as TASK_PARAMETERS
from server.domain.tasks.queries import TaskFilter, validate_task_filter
from server.web.auth import authenticate, bearer
from server.register_io import exporter

STATUS_CODES = {Unauthenticated: 401, Forbidden: 403, NotFound: 404, BadInput: 400, RateLimited: 429}


def error_body(message: str, code: str, field: str | None = None) -> dict:
    """The GraphQL error shape, so a client reads an export's error as it reads the API's."""
    ext = {"code": code, **({"field": field} if field else {})}
    return {"errors": [{"message": message, "extensions": ext}]}


def _error(e: DomainError) -> Response:
    status = next((c for t, c in STATUS_CODES.items() if isinstance(e, t)), 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(e.message, e.code, e.field), status_code=status, headers=headers)


def _check_names(params, allowed: frozenset[str]) -> None:
    for k in params.keys():
        if k not in allowed:
            raise BadInput(f"unknown parameter {k!r}; expected one of {', '.join(sorted(allowed))}", field=k)
        if len(params.getlist(k)) > 1:
            raise BadInput(f"parameter {k!r} given more than once", field=k)


async def outfall_filter(db, params, extra: frozenset[str] = frozenset()) -> OutfallFilter:
    """Query parameters -> the register's filter, parsed and checked by the domain (as GraphQL's)."""
    _check_names(params, OUTFALL_PARAMETERS | extra)
    f = OutfallFilter.from_params(params)
    async with db.session() as s:
        await validate_outfall_filter(s, f, prefix="")
    return f


async def task_filter(db, params) -> TaskFilter:
    """Query parameters -> the task filter, parsed and checked by the domain (as GraphQL's)."""
    _check_names(params, TASK_PARAMETERS)
    f = TaskFilter.from_params(params)
    async with db.session() as s:
        await validate_task_filter(s, f, prefix="")
    return f


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
            f = await outfall_filter(db, params, frozenset({"crs"}) if fmt == "geojson" else frozenset())
            if fmt == "geojson":
                crs = (params.get("crs") or "WGS84").upper()
                if crs not in CRS_NAMES:
                    raise BadInput(f"crs {params['crs']!r} is not one of {', '.join(CRS_NAMES)}", field="crs")
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

    def signed_download(build, media_type: str, filename: str):
        """A route for a file the server signs (C2PA, docs/provenance.md): `build` makes its bytes for
        the caller and the path's id; the filename is formatted with that id."""
        async def handler(request: Request) -> Response:
            try:
                actor = await actor_of(request)
                record_id = _int_param(request, "id")
                async with db.session() as s:
                    data = await build(s, services.store, services.settings, actor, record_id)
            except DomainError as e:
                return _error(e)
            return Response(data, media_type=media_type, headers={
                "Content-Disposition": f'attachment; filename="{filename.format(record_id)}"',
                "Cache-Control": "no-store"})
        return handler

    # A photo with the server's manifest of what it verified; the ledger's evidence pack, each photo signed.
    signed_photo = signed_download(
        lambda s, store, settings, actor, i: provenance.signed_photo(session=s, store=store, settings=settings,
                                                                     actor=actor, media_id=i),
        "image/jpeg", "media-{}.jpg")
    evidence_pack = signed_download(
        lambda s, store, settings, actor, i: provenance.evidence_pack(session=s, store=store, settings=settings,
                                                                      actor=actor, task_id=i),
        "application/zip", "task-{}-evidence.zip")

    return [Route("/export/outfalls.{fmt:str}", _only(outfalls, {"geojson", "csv", "xlsx"}), methods=["GET"]),
            Route("/export/tasks.{fmt:str}", _only(tasks, {"csv", "xlsx"}), methods=["GET"]),
            Route("/export/media/{id:str}.jpg", signed_photo, methods=["GET"]),
            Route("/export/tasks/{id:str}/evidence.zip", evidence_pack, methods=["GET"])]


def _int_param(request: Request, name: str) -> int:
    raw = request.path_params[name]
    if not raw.isdigit() or len(raw) > 12:
        raise BadInput(f"{name} must be a number, got {raw[:20]!r}", field=name)
    return int(raw)


def _only(handler, formats: set[str]):
    async def route(request: Request) -> Response:
        if request.path_params["fmt"] not in formats:
            return JSONResponse(error_body(f"no such export; formats: {', '.join(sorted(formats))}", "NOT_FOUND"),
                                status_code=404)
        return await handler(request)

    return route
