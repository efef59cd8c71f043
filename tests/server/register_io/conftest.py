"""A small but complete register (every enum, Chinese, awkward text) and helpers to read and clear it."""
from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from server.domain.audit.models import AuditEvent
from server.domain.outfalls.labels import subtypes
from server.domain.outfalls.models import (CATEGORIES, PHASES, REMEDIATIONS, STATUSES, WATER_CLASSES, Outfall,
                                           OutfallCodeCounter)
from server.register_io.importer import FIELDS

# (district code, river code, lat, lon) on the river in that district
PLACES = [("500103", "YANGTZE", 29.5647, 106.587), ("500105", "JIALING", 29.57, 106.56),
          ("500102", "WU", 29.70, 107.39), ("500101", "YANGTZE", 30.80, 108.40),
          ("500117", "FUJIANG", 29.99, 106.27), ("500110", "QIJIANG", 28.97, 106.65)]
AWKWARD_NAMES = ['朝天门"老码头"排口', "江北区, 第一排口", "多行\n名称排口", "Plain ASCII outfall", "  =SUM(A1)  公式样排口",
                 "排口" * 50]  # the last is exactly 100 characters


def register_rows(n: int = 36, seed: int = 3) -> list[dict]:
    """Outfall column values covering every category, phase, status, remediation and water class."""
    rng = random.Random(seed)
    subs = sorted(subtypes())
    rows = []
    for i in range(n):
        d, river, lat, lon = PLACES[i % len(PLACES)]
        name = AWKWARD_NAMES[i] if i < len(AWKWARD_NAMES) else f"{d}排口{i:03d}号"
        rows.append(dict(
            code=f"{d}-{i + 1:05d}" if i % 3 else f"CQ-{i:04d}", name=name.strip() if i != 5 else name,
            category=CATEGORIES[i % 4], subtype=subs[i % len(subs)] if i % 5 else None, river_code=river,
            district_code=d, lat=lat + rng.uniform(-0.01, 0.01), lon=lon + rng.uniform(-0.01, 0.01),
            accuracy_m=None if i % 4 == 1 else rng.choice([3.0, 4.5, 12.25]),
            water_class=None if i % 6 == 2 else WATER_CLASSES[i % 5], phase=PHASES[i % 4],
            status=STATUSES[(i // 4) % 2], remediation=None if i % 4 == 0 else REMEDIATIONS[i % 3],
            responsible_unit=None if i % 3 == 0 else f"重庆市某某化工有限公司{i}", signboard_installed=bool(i % 2)))
    return rows


async def fill(db, rows: list[dict]) -> None:
    async with db.transaction() as s:
        s.add_all(Outfall(**r) for r in rows)


async def register(db) -> dict[str, dict]:
    """code -> the register fields of every outfall."""
    async with db.session() as s:
        return {r[0]: dict(zip(FIELDS, r)) for r in
                (await s.execute(select(*(getattr(Outfall, f) for f in FIELDS)))).all()}


async def clear(db) -> None:
    async with db.transaction() as s:
        await s.execute(delete(Outfall))
        await s.execute(delete(OutfallCodeCounter))


async def audit_imports(db) -> list[AuditEvent]:
    async with db.session() as s:
        return list((await s.execute(select(AuditEvent).where(AuditEvent.object_type == "outfall_import")
                                     .order_by(AuditEvent.id))).scalars())


async def count(db) -> int:
    async with db.session() as s:
        return (await s.execute(select(func.count()).select_from(Outfall))).scalar_one()


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def sample() -> list[dict]:
    return register_rows()
