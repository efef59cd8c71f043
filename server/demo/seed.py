"""Demo data: one user of each role and several hundred outfalls along the real rivers."""
from __future__ import annotations

import math
import random
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from stdnum.cn import uscc

from server.demo.rivers import COURSES
from server.domain.actor import Actor
from server.domain.inspections.service import Reading, record_inspection
from server.domain.lifecycle.plans import close_out, create_plan, record_evidence, request_acceptance, review_plan
from server.domain.lifecycle.tracing_records import Party, TracingInput, review_record, submit_record
from server.domain.lifecycle.verification import verify_outfall
from server.domain.outfalls import service as outfalls
from server.domain.outfalls.labels import subtypes
from server.domain.outfalls.models import CATEGORIES, PHASES, REMEDIATIONS, WATER_CLASSES, Outfall
from server.domain.sqltypes import pk, utcnow
from server.domain.standards.applicable import river_target
from server.domain.users.models import User
from server.domain.users.service import create_user
from server.reference import domain

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


async def _actor(session: AsyncSession, username: str) -> Actor:
    u = (await session.execute(select(User).where(col(User.username) == username))).scalar_one()
    return Actor(user_id=pk(u), username=username, role=u.role, district_code=u.district_code)


def demo_uscc(n: int, district_code: str) -> str:
    """A well-formed 统一社会信用代码 (GB 32100-2015: 91 = enterprise, the district, a made-up organisation
    code, the check character), so the demo's parties pass the same check a real entry does."""
    body = f"91{district_code}{n:08d}X"
    return body + uscc.calc_check_digit(body)


async def seed_demo(*, session: AsyncSession, outfalls_per_km: float = 0.45, seed: int = 7, settings=None) -> dict:
    """Create the demo users and outfalls unless outfalls already exist; returns what was made.

    Every outfall's life goes through the services a user would call (issue 19): suspects registered as
    such and verified on site or found not to be outfalls; 测 by an inspection; 溯 by a tracing record a
    supervisor approves; 治 by the outfall's one plan, its acceptance and 销号. Nothing sets a phase."""
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
    admin, sup, insp = [await _actor(session, u) for u in ("admin", "supervisor", "inspector")]
    rng = random.Random(seed)
    subs = subtypes()
    # The lives draw from their own generator: `rng` places the outfalls exactly where the demo always
    # had them (the phone's and console's tests stand at those places).
    life = _Life(session, random.Random(seed + 1), admin, sup, insp, settings)
    count = 0
    for river, course in COURSES.items():
        km = sum(math.dist(a[:2], b[:2]) for a, b in zip(course, course[1:])) * 111
        for lat, lon, dname in _points_along(course, max(8, int(km * outfalls_per_km)), rng):
            category = CATEGORIES[count % len(CATEGORIES)] if count < 16 else rng.choice(CATEGORIES)
            leaves = [k for k in subs if k.startswith(CATEGORY_SUBTYPE_PREFIX[category]) and k.count(".") >= 1]
            subtype = rng.choice(leaves) if leaves else None
            name = f"{dname}{subs[subtype] if subtype else '排口'}{count + 1:03d}号"
            # The first outfalls show every step; then suspects (遥感/无人机) are one in eight.
            check = SUSPECT_OUTCOMES[count - 16] if 16 <= count < 16 + len(SUSPECT_OUTCOMES) else (
                life.rng.choice(SUSPECT_OUTCOMES) if count >= 16 and life.rng.random() < 0.125 else None)
            o = await outfalls.register_outfall(
                session=session, actor=admin, client_id=uuid.UUID(int=rng.getrandbits(128)), name=name,
                category=category, river_code=river, district_code=codes[dname],
                location=outfalls.Point(round(lat, 6), round(lon, 6), rng.choice([3.0, 5.0, 8.0, 15.0])),
                subtype=subtype, water_class=rng.choice(WATER_CLASSES[1:4]),
                signboard_installed=rng.random() < 0.6, suspected=check is not None)
            await _assign_demo_standard(session, o)
            phase = PHASES[count % 4] if count < 16 else rng.choices(PHASES, weights=[5, 3, 2, 1])[0]
            # The approach the city takes with an outfall it remediates; a ban or rectification stays
            # under way here (its acceptance needs photos from a phone), a merge is accepted.
            approach = rng.choice(REMEDIATIONS) if phase == "REMEDIATED" else None
            if count < 16 and approach:
                approach = "MERGE"  # the first outfalls show every phase
            if check is not None:
                if check != "SUSPECTED":  # seen on site by the district's inspector (or the city)
                    await verify_outfall(session=session, actor=life.on_site(o), outfall_id=pk(o), outcome=check)
                if check != "VERIFIED":
                    phase = "SURVEYED"  # a suspect is verified first; not an outfall has no life
            await life.live(o, phase, count, approach)
            count += 1
    await session.flush()
    return {"users": made_users, "outfalls": count, **life.made}


SUSPECT_OUTCOMES = ("SUSPECTED", "VERIFIED", "NOT_OUTFALL")


class _Life:
    """Takes one demo outfall to its phase through the lifecycle services."""

    def __init__(self, session: AsyncSession, rng: random.Random, admin: Actor, sup: Actor, insp: Actor, settings):
        self.s, self.rng, self.admin, self.sup, self.insp, self.settings = session, rng, admin, sup, insp, settings
        self.now = utcnow()
        # An outfall in use to merge into: (district, river) -> id, and river -> id where the district has none.
        self.merge_into: dict[tuple[str, str] | str, int] = {}
        self.made = {"tracing_records": 0, "plans": 0, "accepted": 0, "closed_out": 0}

    def on_site(self, o: Outfall) -> Actor:
        """The demo inspector in the home district, the city elsewhere."""
        return self.insp if o.district_code == self.insp.district_code else self.admin

    def cid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128))

    async def live(self, o: Outfall, phase: str, count: int, approach: str | None) -> None:
        target = PHASES.index(phase)
        if target >= 1:
            await self.inspect(o)
        if target == 1 and count % 5 == 0:
            await self.trace(o, count, review=False)  # waiting for the city's review
        if target >= 2:
            await self.trace(o, count, review=True)
        if target == 2 and count % 3 == 0:
            await self.plan_in_progress(o, count)
        if target == 3 and approach != "MERGE":
            await self.plan_in_progress(o, count, approach)
        elif target == 3:
            await self.merge(o, count)
        elif o.status == "ACTIVE" and o.verification != "NOT_OUTFALL":
            self.merge_into[(o.district_code, o.river_code)] = self.merge_into[o.river_code] = pk(o)

    async def inspect(self, o: Outfall) -> None:
        """测: a field kit reading well within any limit (no exceedance task), some days ago."""
        await record_inspection(session=self.s, actor=self.on_site(o), settings=self.settings, client_id=self.cid(),
                                outfall_id=pk(o), observed_at=self.now - timedelta(days=self.rng.randint(2, 50)),
                                flowing=True, readings=[Reading("COD", float(self.rng.randint(8, 30)))])

    async def trace(self, o: Outfall, count: int, *, review: bool) -> None:
        """溯: a record naming the party (an enterprise with its code, or, one in seven, "cannot be
        determined" and the local government), approved by the city when `review`."""
        if count % 7 == 3:
            data = TracingInput(outfall_id=pk(o), determined=False, methods=["FIELD_SURVEY", "INTERVIEW"],
                                undetermined_reason="管网老旧、多户混接，现场排查和走访均未能确定排污单位")
        else:
            data = TracingInput(outfall_id=pk(o), party=Party(name=f"重庆某{'化工' if count % 2 else '食品'}有限公司"
                                                                    f"{count % 17 + 1}",
                                                              uscc=demo_uscc(count, o.district_code), type="ENTERPRISE",
                                                              contact="环保负责人 023-6000" + f"{count % 10000:04d}"),
                                sources=["生产废水", "厂区生活污水"], methods=["FIELD_SURVEY", "PIPE_INSPECTION"],
                                report="沿排口上溯管网，经厂区总排口进入（演示数据）")
        r = await submit_record(session=self.s, actor=self.on_site(o), client_id=self.cid(), data=data)
        self.made["tracing_records"] += 1
        if review:
            await review_record(session=self.s, actor=self.sup, record_id=pk(r), decision="APPROVE")

    async def plan_in_progress(self, o: Outfall, count: int, kind: str | None = None) -> None:
        """治 under way: a ban or rectification plan whose acceptance evidence is still being gathered (photos
        come from the phone; a rectification's re-test is recorded)."""
        kind = kind or ("RECTIFY" if count % 2 else "BAN")
        if o.discharge_standard == "STORMWATER":
            kind = "BAN"  # a stormwater outlet's re-test is a dry-weather visit, not a reading
        p = await create_plan(session=self.s, actor=self.sup, client_id=self.cid(), outfall_id=pk(o), type=kind,
                              measures="规范化建设：设置采样点、检查井和二维码标识牌" if kind == "RECTIFY"
                              else "封堵取缔，恢复岸线", deadline=(self.now + timedelta(days=30 + count % 60)).date())
        self.made["plans"] += 1
        if kind == "RECTIFY":
            i = await record_inspection(session=self.s, actor=self.on_site(o), settings=self.settings,
                                        client_id=self.cid(), outfall_id=pk(o), observed_at=utcnow(), flowing=True,
                                        readings=[Reading("COD", 12.0)])
            await record_evidence(session=self.s, actor=self.sup, settings=self.settings, plan_id=pk(p),
                                  item="PASSING_RETEST", inspection_id=pk(i))

    async def merge(self, o: Outfall, count: int) -> None:
        """治 done: merged (合并) into an outfall in use on the same river in the same district, accepted by the
        city (REMEDIATED) and, for most, 销号 (the merged outfall is closed and points at the one it joined)."""
        into = self.merge_into.get((o.district_code, o.river_code)) or self.merge_into.get(o.river_code)
        if into is None:  # nothing on its river to merge into yet: it stays traced, its plan to come
            self.merge_into[(o.district_code, o.river_code)] = self.merge_into[o.river_code] = pk(o)
            return
        p = await create_plan(session=self.s, actor=self.sup, client_id=self.cid(), outfall_id=pk(o), type="MERGE",
                              measures="截污纳管，并入下游排口统一排放", merged_into_id=into,
                              deadline=(self.now + timedelta(days=10)).date())
        await request_acceptance(session=self.s, actor=self.sup, plan_id=pk(p))
        await review_plan(session=self.s, actor=self.sup, plan_id=pk(p), decision="ACCEPT", reason="验收通过")
        self.made["plans"] += 1
        self.made["accepted"] += 1
        if count % 4 != 1:
            await close_out(session=self.s, actor=self.sup, plan_id=pk(p))
            self.made["closed_out"] += 1


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
