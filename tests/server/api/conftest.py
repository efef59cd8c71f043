"""Fixtures live in tests/server/conftest.py; Gql is re-exported for existing imports."""
from tests.server.conftest import Gql  # noqa: F401
