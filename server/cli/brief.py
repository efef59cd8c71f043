"""`outfallwatch brief --date YYYY-MM-DD [--format md|html] [--output FILE]`."""
from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path

from server.cli.registry import COMMANDS, CliError, check_migrated, database
from server.domain.actor import Actor


def _run(args, settings):
    from server.domain.brief import daily_brief, to_html, to_markdown

    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise CliError(f"--date {args.date!r} is not a date (YYYY-MM-DD)") from None

    async def go():
        await check_migrated(settings)
        db = database(settings)
        try:
            async with db.session() as s:  # the city's view: the brief is the bureau's
                return await daily_brief(session=s, actor=Actor(user_id=0, username="cli", role="ADMIN",
                                                                district_code=None), day=day, settings=settings)
        finally:
            await db.dispose()

    b = asyncio.run(go())
    text = to_html(b) if args.format == "html" else to_markdown(b)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)


def _setup(p):
    p.add_argument("--date", help="the day, YYYY-MM-DD (China Standard Time); default today")
    p.add_argument("--format", choices=["md", "html"], default="md")
    p.add_argument("--output", "-o")


COMMANDS["brief"] = ("the daily brief (水环境每日简况) as Markdown or printable HTML", _setup, _run)
