"""The public page per outfall (no sign-in): /public/outfalls/{code} (HTML), .json, and /qr.svg, the QR code
a signboard prints. The facts come from server/domain/lifecycle/public.py: nothing personal."""
from __future__ import annotations

import html
import io
import segno
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from server.domain.lifecycle.public import public_facts, public_path
from server.web.wiring import Services


def _row(label: str, value) -> str:
    return f"<tr><th>{html.escape(label)}</th><td>{html.escape(str(value))}</td></tr>" if value not in (None, "") else ""


def render(f: dict) -> str:
    rows = [_row("排口编码", f["code"]), _row("国家编码", f["national_code"]), _row("省级编码", f["provincial_code"]),
            _row("名称", f["name"]), _row("类型", f["category"]), _row("受纳水体", f["river"]),
            _row("所在区县", f["district"]), _row("状态", f["status"])]
    if f["responsible_party"]:
        rows.append(_row("责任主体", f"{f['responsible_party']['name']}（{f['responsible_party']['type']}）"))
    else:
        rows.append(_row("责任主体", "溯源中"))
    if f["permit"]:
        p = f["permit"]
        rows.append(_row(f"设置{p['kind']}", f"{p['document_no']}，{p['authority']}，{p['decided_on']}（{p['status']}）"))
    if f["plan"]:
        p = f["plan"]
        rows.append(_row("整治方式", p["type"]))
        rows.append(_row("整治进度", f"{p['status']}：验收项 {p['items_done']}/{p['items_required']}，期限 {p['deadline']}"))
        rows.append(_row("验收日期", p["accepted_on"]))
        rows.append(_row("销号日期", p["closed_out_on"]))
    return ("<!doctype html><html lang='zh'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>入河排污口信息公开 {html.escape(f['code'])}</title>"
            "<style>body{font-family:sans-serif;margin:1rem;max-width:40rem}th{text-align:left;padding-right:1rem;"
            "white-space:nowrap;vertical-align:top}td,th{padding:.3rem 0}</style></head><body>"
            "<h1>入河排污口信息公开</h1><table>" + "".join(rows) + "</table></body></html>")


def public_routes(services: Services) -> list[Route]:
    async def facts(code: str):
        async with services.db.session() as s:
            return await public_facts(s, code)

    async def page(request):
        code = request.path_params["code"]
        if code.endswith(".json"):
            f = await facts(code[:-5])
            return JSONResponse(f) if f else JSONResponse({"error": "not found"}, status_code=404)
        f = await facts(code)
        if f is None:
            return HTMLResponse("<!doctype html><meta charset='utf-8'><p>未找到该排污口</p>", status_code=404)
        return HTMLResponse(render(f))

    async def qr(request):
        code = request.path_params["code"]
        if await facts(code) is None:
            return Response(status_code=404)
        url = services.settings.public_url.rstrip("/") + public_path(code)
        buf = io.BytesIO()
        segno.make(url, error="m").save(buf, kind="svg", scale=8, border=2)
        return Response(buf.getvalue(), media_type="image/svg+xml")

    return [Route("/public/outfalls/{code}/qr.svg", qr), Route("/public/outfalls/{code}", page)]
