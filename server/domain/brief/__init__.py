from server.domain.brief.render import to_html, to_markdown
from server.domain.brief.service import Brief, daily_brief

__all__ = ["Brief", "daily_brief", "to_html", "to_markdown"]
