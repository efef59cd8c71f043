"""Demo data: one user of each role and several hundred outfalls along the real rivers."""
from __future__ import annotations

import math
import random
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.demo.rivers import COURSES
from server.domain.actor import Actor
from server.domain.outfalls import service as outfalls
from server.domain.outfalls.labels import subtypes
from server.domain.standards.applicable import river_target
from server.domain.outfalls.models import CATEGORIES, PHASES, REMEDIATIONS, WATER_CLASSES, Outfall
from server.domain.users.models import User
from server.domain.users.service import create_user
from server.reference import domain
from server.domain.sqltypes import pk

HOME = "渝中区"
DEMO_USERS = [  # username, role, district name, display name
    ("inspector", "INSPECTOR", HOME, "巡查员 李明"),
    ("officer", "DISTRICT_OFFICER", HOME, "区县专员 王芳"),
    ("supervisor", "SUPERVISOR", None, "市级督办 张伟"),
    ("admin", "ADMIN", None, "系统管理员"),
    ("integrator", "INTEGRATOR", None, "视频AI平台"),
]
CATEGORY_SUBTYPE_PREFIX = {"INDUSTRIAL": "industrial.", "URBAN_SEWAGE_PLANT": "urban_wwtp.",
                           "AGRICULTURAL": "agricultural.", "OTHER": "other."}


def demo_password(username: str) -> str:
    return f"{username}-demo"


def district_codes_by_name() -> dict[str, str]:
    return {d["name_zh"]: d["code"] for d in domain()["districts"]}


def _points_along(course, n: int, rng: random.Random):
    """n points spread along the polyline, pushed 50-400 m to either bank."""
    segs = list(zip(course, course[1:]))
    lengths = [math.dist(a[:2], b[:2]) for a, b in segs]
    total = sum(lengths)
    for _ in range(n):
        t = rng.random() * total
        for (a, b), L in zip(segs, lengths):
            if t <= L:
                break
            t -= L
        f = t / L if L else 0
        lat, lon = a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f
        # Perpendicular offset to a bank, in degrees (~111 km per degree).
        dx, dy = b[1] - a[1], b[0] - a[0]
        norm = math.hypot(dx, dy) or 1
        off = rng.choice((-1, 1)) * rng.uniform(50, 400) / 111_000
        yield lat + (dx / norm) * off, lon - (dy / norm) * off, (a if f < 0.5 else b)[2]


async def seed_demo(*, session: AsyncSession, outfalls_per_km: float = 0.45, seed: int = 7) -> dict:
    """Create the demo users and outfalls unless outfalls already exist; returns what was made."""
    if (await session.execute(select(func.count()).select_from(Outfall))).scalar_one():
        return {"users": [], "outfalls": 0}
    codes = district_codes_by_name()
    made_users = []
    for username, role, dname, display in DEMO_USERS:
        if (await session.execute(select(User).where(col(User.username) == username))).scalar_one_or_none():
            continue
        await create_user(session=session, username=username, password=demo_password(username), role=role,
                          district_code=codes[dname] if dname else None, display_name=display)
        made_users.append((username, role, dname or "全市 city-wide", demo_password(username)))
    admin = (await session.execute(select(User).where(col(User.username) == "admin"))).scalar_one()
    actor = Actor(user_id=pk(admin), username="admin", role="ADMIN", district_code=None)
    rng = random.Random(seed)
    subs = subtypes()
    count = 0
    for river, course in COURSES.items():
        km = sum(math.dist(a[:2], b[:2]) for a, b in zip(course, course[1:])) * 111
        for lat, lon, dname in _points_along(course, max(8, int(km * outfalls_per_km)), rng):
            category = CATEGORIES[count % len(CATEGORIES)] if count < 16 else rng.choice(CATEGORIES)
            leaves = [k for k in subs if k.startswith(CATEGORY_SUBTYPE_PREFIX[category]) and k.count(".") >= 1]
            subtype = rng.choice(leaves) if leaves else None
            name = f"{dname}{subs[subtype] if subtype else '排口'}{count + 1:03d}号"
            o = await outfalls.register_outfall(
                session=session, actor=actor, client_id=uuid.UUID(int=rng.getrandbits(128)), name=name,
                category=category, river_code=river, district_code=codes[dname],
                location=outfalls.Point(round(lat, 6), round(lon, 6), rng.choice([3.0, 5.0, 8.0, 15.0])),
                subtype=subtype, water_class=rng.choice(WATER_CLASSES[1:4]),
                signboard_installed=rng.random() < 0.6)
            await _assign_demo_standard(session, o)
            o.phase = PHASES[count % 4] if count < 16 else rng.choices(PHASES, weights=[5, 3, 2, 1])[0]
            if o.phase in ("TRACED", "REMEDIATED"):
                o.responsible_unit = f"{dname}某责任单位{count % 17 + 1}"
            if o.phase == "REMEDIATED":
                o.remediation = rng.choice(REMEDIATIONS)
            count += 1
    await session.flush()
    return {"users": made_users, "outfalls": count}


async def _assign_demo_standard(session: AsyncSession, o: Outfall) -> None:
    """What a supervisor would have assigned in the demo city (registrations start UNASSIGNED): the
    standard the subtype suggests, its grade from the receiving water, GB 8978 where no other applies.
    GB 18596 and DB 50/848 tables are not in the reference, so those outfalls get demo approved limits
    (labelled as such, not real values)."""
    from server.domain.outfalls.models import OutfallLimit
    from server.domain.standards.applicable import suggested_grade, suggested_standard

    if o.discharge_standard == "STORMWATER":
        return
    key = suggested_standard(o.subtype) or "GB8978"
    key = "GB8978" if key == "SECTOR" else key
    target = o.water_class or river_target(o.river_code)
    if key in ("GB8978", "GB18918"):
        o.discharge_grade = suggested_grade(key, target) or ("grade1" if key == "GB8978" else "1A")
    else:
        session.add(OutfallLimit(outfall_id=pk(o), parameter="COD", limit_max=150.0, basis="演示数据（非真实批复）"))
    o.discharge_standard = key
