"""Reference tables: Chongqing's county-level divisions and the rivers outfalls drain into."""
from __future__ import annotations

from sqlmodel import Field, SQLModel


class District(SQLModel, table=True):
    __tablename__ = "districts"
    code: str = Field(primary_key=True, max_length=6)  # GB/T 2260
    name: str = Field(max_length=32)
    name_en: str = Field(max_length=64)
    kind: str = Field(max_length=8)  # 区 / 县 / 自治县
    parent_code: str | None = Field(default=None, max_length=6)


class River(SQLModel, table=True):
    __tablename__ = "rivers"
    code: str = Field(primary_key=True, max_length=32)  # stable: YANGTZE, JIALING, WU, ...
    name: str = Field(max_length=32)
    name_en: str = Field(max_length=64)
    # Tributaries point at the river they join; the main stems have none.
    parent_code: str | None = Field(default=None, foreign_key="rivers.code", max_length=32)
