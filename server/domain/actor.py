"""Who is acting: a signed-in user or an integrator token, as the services see it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    username: str
    role: str
    district_code: str | None
    display_name: str = ""
    scopes: frozenset[str] = frozenset()
    client_addr: str | None = None
    token_id: int | None = None  # set when acting through an integrator API token

    @property
    def is_city(self) -> bool:
        return self.role in ("SUPERVISOR", "ADMIN")
