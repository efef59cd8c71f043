"""Every table, for SQLModel's metadata (and Alembic): the areas declare theirs (server/areas), and
importing them also installs the audit hook and the permission verbs."""
from sqlmodel import SQLModel

import server.areas  # noqa: F401

metadata = SQLModel.metadata
