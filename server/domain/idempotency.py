"""Client-keyed idempotency: a replay returns the first result; a different payload conflicts."""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from enum import Enum

from server.domain.errors import BadInput, Conflict


def _default(o):
    if isinstance(o, datetime):
        return o.isoformat()
    if isinstance(o, Enum):
        return o.value
    if isinstance(o, uuid.UUID):
        return str(o)
    raise TypeError(type(o))


def payload_hash(payload: dict) -> str:
    """A stable hash of what the client asked for (key order and float repr normalised)."""
    blob = json.dumps(payload, sort_keys=True, default=_default, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def normalise_client_id(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise BadInput("clientId must be a UUID", field="clientId") from None


def check_replay(existing, request_hash: str, what: str):
    """Return the existing record if the payload matches; raise CONFLICT otherwise."""
    if existing.request_hash != request_hash:
        raise Conflict(f"clientId already used for a different {what}", field="clientId")
    return existing
