"""What lives for the whole process, built once in create_app and handed to every door."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.db import Database
from server.domain.users.throttle import PasswordThrottle, TokenRateLimit, make_counters
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
    # Shared counters (the database, or Redis when configured): every worker and machine sees them.
    counters: Any = None
    password_throttle: PasswordThrottle | None = None
    token_limit: TokenRateLimit | None = None  # requests per API token per minute

    def __post_init__(self):
        if self.counters is None:
            self.counters = make_counters(self.settings, self.db)
        if self.password_throttle is None:
            self.password_throttle = PasswordThrottle(self.counters)
        if self.token_limit is None:
            self.token_limit = TokenRateLimit(self.counters)


def build_services(settings: Settings) -> Services:
    """The production wiring for `settings`: its database, store and broker."""
    return Services(settings=settings, db=Database.from_settings(settings), store=make_store(settings),
                    events=make_broker(settings))
