"""What lives for the whole process, built once in create_app and handed to every door."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.db import Database
from server.domain.users.throttle import LoginThrottle, Window
from server.events.broker import make_broker
from server.settings import Settings
from server.storage import make_store


@dataclass
class Services:
    """The database, object store and event broker, with the process-wide throttles."""

    settings: Settings
    db: Database
    store: Any = None
    events: Any = None
    extra: dict = field(default_factory=dict)
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    token_limit: Window = field(default_factory=lambda: Window(600, 60))  # requests per API token per minute


def build_services(settings: Settings) -> Services:
    """The production wiring for `settings`: its database, store and broker."""
    return Services(settings=settings, db=Database.from_settings(settings), store=make_store(settings),
                    events=make_broker(settings))
