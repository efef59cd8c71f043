"""Static routes of the built console and the small JSON/JS it needs from the server.

/console/ (desk), /screen/ (wall display), /console/config.js (tile settings), /console/basemap.json
(reference rivers and districts), /console/graphiql/ (GraphiQL with no CDN).

The console is a client of the public GraphQL API; the only server-side pieces here are the files of
its build (console/dist, made by `make console`), its deployment settings as a script, and the
reference base map (rivers and district labels) so the map reads well with no tile server.
"""
from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.settings import Settings

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>console not built</title>
<p>The console has not been built: run <code>make console</code> (npm ci &amp;&amp; npm run build in console/),
or <code>make run</code>, which does it.</p><p>管理端尚未构建：请运行 <code>make console</code>。</p>"""


def console_dir(settings: Settings) -> Path:
    return settings.console_dir or Path(__file__).resolve().parents[3] / "console" / "dist"


def client_config(settings: Settings) -> dict:
    return {"tileUrl": settings.tile_url or None, "tileCrs": settings.tile_crs,
            "tileAttribution": settings.tile_attribution}


@lru_cache(maxsize=4)
def basemap(crs: str) -> dict:
    """River courses as lines and one label point per district they pass (the mean of its waypoints),
    from the project's reference courses, shifted into the tiles' datum."""
    from server.demo.rivers import COURSES
    from server.domain.geo.crs import to_crs
    from server.reference import domain

    def pt(lat, lon):
        la, lo = to_crs(lat, lon, crs)
        return [round(lo, 6), round(la, 6)]

    names = {r["code"]: r for r in json.loads((Path(__file__).resolve().parents[2] / "reference" / "rivers.json")
                                              .read_text(encoding="utf-8"))["rivers"]}
    rivers = [{"type": "Feature", "properties": {"code": code, "name": names.get(code, {}).get("name", code)},
               "geometry": {"type": "LineString", "coordinates": [pt(la, lo) for la, lo, _ in course]}}
              for code, course in COURSES.items()]
    by_name = {d["name_zh"]: d for d in domain()["districts"]}
    acc: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for course in COURSES.values():
        for la, lo, district in course:
            acc[district].append((la, lo))
    districts = []
    for name, pts in acc.items():
        d = by_name.get(name)
        if d is None:
            continue
        lon, lat = pt(sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
        districts.append({"code": d["code"], "name": name, "nameEn": d["name_en"], "lat": lat, "lon": lon})
    return {"rivers": {"type": "FeatureCollection", "features": rivers}, "districts": districts}


def console_routes(settings: Settings) -> list[BaseRoute]:
    root = console_dir(settings)

    def page(name: str):
        async def handler(request: Request) -> Response:
            f = root / name
            if not f.is_file():
                return HTMLResponse(NOT_BUILT, status_code=503)
            # The HTML names hashed assets, so it must never be cached past a rebuild.
            return FileResponse(f, headers={"Cache-Control": "no-cache"})
        return handler

    async def config_js(request: Request) -> Response:
        body = "window.OUTFALLWATCH_CONFIG = " + json.dumps(client_config(settings), ensure_ascii=False) + ";\n"
        return Response(body, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    async def basemap_json(request: Request) -> Response:
        crs = request.query_params.get("crs", "WGS84")
        if crs not in ("WGS84", "GCJ02"):
            return JSONResponse({"error": "crs must be WGS84 or GCJ02", "parameter": "crs"}, status_code=400)
        return JSONResponse(basemap(crs), headers={"Cache-Control": "max-age=3600"})

    return [
        Route("/console", lambda r: RedirectResponse("/console/")),
        Route("/console/", page("index.html")),
        Route("/screen", lambda r: RedirectResponse("/screen/")),
        Route("/screen/", page("screen.html")),
        Route("/console/config.js", config_js),
        Route("/console/basemap.json", basemap_json),
        Mount("/console", app=StaticFiles(directory=root, check_dir=False), name="console"),
    ]


def graphiql_html(settings: Settings) -> str:
    """Strawberry's GraphiQL page with its scripts from /console/graphiql/ (copied from npm by the
    console's build) instead of unpkg.com: a bureau intranet has no internet."""
    return (Path(__file__).with_name("graphiql.html")).read_text(encoding="utf-8")
