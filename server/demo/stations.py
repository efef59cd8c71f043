"""Demo stations on the Yangtze, Jialing and Wu with plausible 4-hourly series, ingested like real data.

The series: seasonal water temperature, oxygen at ~95 % of saturation with a diurnal cycle (photosynthesis
by day), pH following oxygen, summer-flood turbidity, nutrient levels typical of the target class, a gentle
trend at two stations, a few pollution episodes (ammonia/phosphorus/permanganate rise, oxygen falls), runs
of instrument faults, missing slots and isolated spikes. The last episode at 大溪沟 is still going on, so a
fresh demo has one open alert and its task.
"""
from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.demo.rivers import COURSES
from server.demo.seed import district_codes_by_name
from server.domain.stations.ingest import Series, ingest
from server.domain.stations.models import Station
from server.domain.stations.params import KEYS
from server.domain.tracing.network import network

# code, name, river, fraction along the course, level, target, base nutrients (CODMn, NH3-N, TP, TN)
DEMO_STATIONS = [
    ("CQ-Y01", "朱沱", "YANGTZE", 0.02, "NATIONAL", "II", (1.9, 0.12, 0.05, 1.5)),
    ("CQ-Y02", "丰收坝", "YANGTZE", 0.12, "MUNICIPAL", "II", (2.0, 0.15, 0.055, 1.6)),
    ("CQ-Y03", "寸滩", "YANGTZE", 0.22, "NATIONAL", "II", (2.1, 0.18, 0.055, 1.6)),
    ("CQ-Y04", "清溪场", "YANGTZE", 0.40, "NATIONAL", "II", (2.1, 0.16, 0.055, 1.7)),
    ("CQ-Y05", "晒网坝", "YANGTZE", 0.72, "NATIONAL", "II", (2.0, 0.14, 0.05, 1.6)),
    ("CQ-Y06", "培石", "YANGTZE", 0.99, "NATIONAL", "II", (1.9, 0.12, 0.05, 1.5)),
    ("CQ-J01", "利泽", "JIALING", 0.05, "NATIONAL", "III", (2.4, 0.22, 0.09, 1.8)),
    ("CQ-J02", "北温泉", "JIALING", 0.45, "MUNICIPAL", "III", (2.6, 0.28, 0.11, 1.9)),
    ("CQ-J03", "大溪沟", "JIALING", 0.93, "NATIONAL", "III", (2.8, 0.35, 0.12, 2.0)),
    ("CQ-W01", "万木", "WU", 0.05, "NATIONAL", "II", (1.7, 0.10, 0.045, 1.2)),
    ("CQ-W02", "锣鹰", "WU", 0.55, "MUNICIPAL", "II", (1.8, 0.12, 0.05, 1.3)),
    ("CQ-W03", "麻柳嘴", "WU", 0.95, "NATIONAL", "II", (1.9, 0.14, 0.05, 1.4)),
]
TRENDS = {"CQ-J02": ("NH3_N", +0.35), "CQ-W02": ("TP", -0.30)}  # relative change per year
ONGOING = "CQ-J03"
# Where the nearest waypoint of the approximate course names the other bank's district: 大溪沟 is a 街道 of
# 渝中区 on the Jialing's south bank (the demo's district officer sees its alert and task).
DISTRICT_OF = {"CQ-J03": "渝中区"}


def _district(river: str, lat: float, lon: float) -> str:
    pts = COURSES[river]
    nearest = min(pts, key=lambda p: (p[0] - lat) ** 2 + (p[1] - lon) ** 2)
    return district_codes_by_name()[nearest[2]]


def slot_floor(t: datetime) -> datetime:
    t = t.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return t - timedelta(hours=t.hour % 4)


def simulate(code: str, base: tuple[float, float, float, float], start: datetime, slots: int,
             rng: random.Random, ongoing: bool) -> dict[str, list[float | None]]:
    """Nine parallel series (None = missing) plus a FAULT mask under key '_fault'."""
    codmn0, nh30, tp0, tn0 = base
    out: dict[str, list] = {k: [] for k in KEYS}
    # Episodes: (start slot, length, factor); faults: (start, length)
    episodes = [(rng.randrange(0, max(1, slots - 60)), rng.randint(3, 12), rng.uniform(3.0, 6.0))
                for _ in range(max(1, slots // 1100))]
    if ongoing:
        episodes.append((slots - 4, 10, 5.0))  # began 16 h ago, still off target at the last slot
    faults = [(rng.randrange(0, slots), rng.randint(2, 6)) for _ in range(max(1, slots // 1500))]
    fault = [False] * slots
    for s0, n in faults:
        for i in range(s0, min(slots, s0 + n)):
            fault[i] = True
    trend = TRENDS.get(code)
    for i in range(slots):
        t = start + timedelta(hours=4 * i)
        doy = t.timetuple().tm_yday
        hour = (t.hour + 8) % 24
        years = i / (6 * 365)
        temp = 18 + 9 * math.sin(2 * math.pi * (doy - 110) / 365) + rng.gauss(0, 0.3)
        sat = 14.62 - 0.3898 * temp + 0.006969 * temp ** 2 - 0.00005897 * temp ** 3
        diurnal = math.sin(2 * math.pi * (hour - 9) / 24)
        flood = max(0.0, math.sin(2 * math.pi * (doy - 150) / 365))
        f = 1.0
        for s0, n, factor in episodes:
            if s0 <= i < s0 + n:
                f = factor
        def trended(p, v):
            return v * (1 + trend[1] * years) if trend and trend[0] == p else v
        do = sat * 0.95 + 0.6 * diurnal + rng.gauss(0, 0.15) - (f - 1) * 0.6
        vals = {
            "WATER_TEMP": temp,
            "PH": 7.8 + 0.15 * diurnal + rng.gauss(0, 0.05),
            "DO": max(0.5, do),
            "CONDUCTIVITY": 330 + 40 * (1 - flood) + rng.gauss(0, 8),
            "TURBIDITY": max(1.0, 15 + 180 * flood ** 3 + rng.gauss(0, 4)),
            "CODMN": max(0.3, codmn0 * (1 + 0.3 * flood) * (1 + (f - 1) * 0.5) + rng.gauss(0, 0.12)),
            "NH3_N": max(0.02, trended("NH3_N", nh30) * f * (1 + 0.1 * rng.gauss(0, 1))),
            "TP": max(0.005, trended("TP", tp0) * (1 + 0.25 * flood) * (1 + (f - 1) * 0.6) * (1 + 0.08 * rng.gauss(0, 1))),
            "TN": max(0.1, tn0 * (1 + 0.08 * rng.gauss(0, 1)) * (1 + (f - 1) * 0.3)),
        }
        for k in KEYS:
            v = vals[k]
            if rng.random() < 0.005:
                v = None  # a missed transmission
            elif k in ("TURBIDITY", "CONDUCTIVITY", "CODMN", "NH3_N") and rng.random() < 0.001:
                v = v * 4 + 1  # an isolated spike the SUSPECT rule should catch
            out[k].append(None if v is None else round(v, 3 if k in ("NH3_N", "TP") else 2))
    out["_fault"] = fault
    return out


async def seed_stations(*, session: AsyncSession, settings, days: int = 730, now: datetime | None = None,
                        seed: int = 15) -> dict:
    """The demo stations and `days` of readings ending at the current slot, unless stations exist."""
    if (await session.execute(select(func.count()).select_from(Station))).scalar_one():
        return {"stations": 0, "values": 0}
    net = network()
    rng = random.Random(seed)
    end = slot_floor(now or datetime.now(timezone.utc))
    slots = days * 6
    start = end - timedelta(hours=4 * (slots - 1))
    times = [start + timedelta(hours=4 * i) for i in range(slots)]
    made, values = 0, 0
    for code, name, river, frac, level, target, base in DEMO_STATIONS:
        km = frac * net.length_km(river)
        lat, lon = net.point_at(river, km)
        district = district_codes_by_name()[DISTRICT_OF[code]] if code in DISTRICT_OF else _district(river, lat, lon)
        session.add(Station(code=code, name=name, river_code=river, district_code=district,
                            lat=round(lat, 5), lon=round(lon, 5), river_km=round(km, 3), level=level,
                            target_class=target))
        made += 1
    await session.flush()
    for code, *_rest, base in DEMO_STATIONS:
        sim = simulate(code, base, start, slots, rng, ongoing=code == ONGOING)
        fault = sim.pop("_fault")
        columns = [(key, [None if fault[i] else v for i, v in enumerate(vals)],
                    ["FAULT" if fault[i] else ("VALID" if v is not None else "MISSING") for i, v in enumerate(vals)])
                   for key, vals in sim.items()]
        for k in range(0, slots, 2190):  # a year per batch keeps each under the ingest cap
            part = [Series(code, key, times[k:k + 2190], values_[k:k + 2190], flags[k:k + 2190])
                    for key, values_, flags in columns]
            r = await ingest(session=session, actor=None, settings=settings, series=part, now=now)
            values += r.inserted
    return {"stations": made, "values": values}
