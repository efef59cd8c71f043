"""What lives for the whole process, built once in create_app and handed to every door."""
from __future__ import annotations

from dataclasses import InitVar, dataclass, field
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
    # The throttles are always there once built; a caller (a test) may hand in its own instead.
    password_throttle: PasswordThrottle = field(init=False)
    token_limit: TokenRateLimit = field(init=False)  # requests per API token per minute
    throttle: InitVar[PasswordThrottle | None] = None
    limit: InitVar[TokenRateLimit | None] = None

    def __post_init__(self, throttle: PasswordThrottle | None, limit: TokenRateLimit | None) -> None:
        if self.counters is None:
            self.counters = make_counters(self.settings, self.db)
        self.password_throttle = throttle if throttle is not None else PasswordThrottle(self.counters)
        self.token_limit = limit if limit is not None else TokenRateLimit(self.counters)


def build_services(settings: Settings) -> Services:
    """The production wiring for `settings`: its database, store and broker."""
    return Services(settings=settings, db=Database.from_settings(settings), store=make_store(settings),
                    events=make_broker(settings))
