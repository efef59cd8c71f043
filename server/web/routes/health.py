"""GET /healthz: the database answers (503 with the reason when it does not)."""
from __future__ import annotations

import logging

from sqlalchemy import text
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.graphql.errors import overload
from server.web.wiring import Services

log = logging.getLogger("outfallwatch")


def health_routes(services: Services) -> list[Route]:
    async def healthz(request):
        try:
            async with services.db.session() as s:
                await s.execute(text("SELECT 1"))
        except Exception as e:  # noqa: BLE001 - a health check reports, it does not fail
            busy = overload(e)
            log.warning("health check failed: %s", e)
            return JSONResponse({"status": "busy" if busy else "unavailable",
                                 "detail": busy.message if busy else "database unreachable"}, status_code=503)
        # Whether this process runs the scheduler (one across all workers and machines).
        return JSONResponse({"status": "ok", "scheduler": bool(services.extra.get("scheduler"))})

    return [Route("/healthz", healthz)]
