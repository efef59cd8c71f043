"""Episodes at a station: one alert when it goes off target, one clearance when it recovers, an
EXCEEDANCE task to its district, and maintenance notices for instrument faults (stations.json episode).

The state (streaks, the open episodes, how far the readings were judged) lives on the station row and
advances in reading order inside the ingest's transaction, so the outbox rows commit with the data
that caused them and a replayed batch, which adds no new slots, can never alert twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from server.db import dialect_of

from server.domain.notify.service import enqueue_notice
from server.domain.sqltypes import pk, utcnow
from server.domain.stations.assess import assess, classify
from server.domain.stations.models import Station, StationEpisode, readings
from server.domain.stations.params import BY_KEY, CLASSES, PARAMS, rules
from server.domain.tasks.models import Task
from server.domain.tasks.service import exceedance_deadline, raise_system_task


def _cfg() -> dict:
    return rules()["episode"]


def _failing_json(a) -> list[dict]:
    return [{"parameter": f.parameter, "class": f.cls, "value": f.value, "limit": f.limit,
             "limitClass": f.limit_class, "multiple": None if f.multiple is None else round(f.multiple, 3)}
            for f in a.failing]


def _merge_worst(old: list[dict], new: list[dict]) -> list[dict]:
    by = {d["parameter"]: d for d in old}
    for d in new:
        o = by.get(d["parameter"])
        if o is None or CLASSES.index(d["class"]) > CLASSES.index(o["class"]) or \
                (d["class"] == o["class"] and (d["multiple"] or 0) > (o["multiple"] or 0)):
            by[d["parameter"]] = d
    return sorted(by.values(), key=lambda d: (-CLASSES.index(d["class"]), -(d["multiple"] or 0)))


def _describe(failing: list[dict]) -> str:
    parts = []
    for d in failing[:4]:
        p = BY_KEY[d["parameter"]]
        mult = f"，超标{d['multiple']:.2f}倍" if d.get("multiple") else ""
        parts.append(f"{p.name_zh} {d['value']:g}{p.unit}（{d['class']}类{mult}）")
    return "；".join(parts)


async def evaluate(*, session: AsyncSession, settings, station_id: int, now: datetime | None = None) -> dict:
    """Advance one station's episodes over its readings newer than `evaluated_through`."""
    now = now or utcnow()
    q = select(Station).where(col(Station.id) == station_id)
    if dialect_of(session) == "postgresql":
        q = q.with_for_update()
    st = (await session.execute(q)).scalar_one()
    cols = [readings.c.observed_at, *[readings.c[f"v_{p.column}"] for p in PARAMS],
            *[readings.c[f"f_{p.column}"] for p in PARAMS]]
    rq = select(*cols).where(readings.c.station_id == st.id).order_by(readings.c.observed_at)
    if st.evaluated_through is not None:
        rq = rq.where(readings.c.observed_at > st.evaluated_through)
    cfg = _cfg()
    recent = timedelta(hours=cfg["notify_within_hours"])
    slot = timedelta(hours=rules()["daily"]["slot_hours"])
    made = {"opened": 0, "cleared": 0, "faults": 0}
    episode = await session.get(StationEpisode, st.open_episode_id) if st.open_episode_id else None
    fault = await session.get(StationEpisode, st.open_fault_id) if st.open_fault_id else None
    # The streaks are kept in locals and written back once: a year's backfill is 2,190 slots.
    off, on, faults, through = st.off_streak, st.on_streak, st.fault_streak, st.evaluated_through
    target, body = st.target_class, st.water_body
    keys = [p.key for p in PARAMS]
    n = len(keys)
    for row in (await session.execute(rq)).all():
        t = row[0]
        through = t
        vals, has_fault = {}, False
        for i in range(n):
            f = row[1 + n + i]
            if f == "VALID":
                vals[keys[i]] = row[1 + i]
            elif f == "FAULT":
                has_fault = True
        notify = now - t <= recent
        # Instrument faults: a maintenance notice, never a pollution alert.
        if has_fault:
            faults += 1
            if fault is None and faults >= cfg["fault_after"]:
                fault = StationEpisode(station_id=pk(st), kind="FAULT", started_at=t - slot * (faults - 1),
                                       notified=notify)
                session.add(fault)
                await session.flush()
                st.open_fault_id = fault.id
                made["faults"] += 1
                if notify:
                    await _notice(session, settings, st, fault, "STATION_FAULT",
                                  f"【自动站运维】{st.name}（{st.code}）仪器故障/校准，自 {_local(fault.started_at)} 起数据无效，请安排运维")
        else:
            faults = 0
            if fault is not None and vals:
                fault.cleared_at = t
                fault, st.open_fault_id = None, None
        cls, meets = classify(vals, target, body)
        if cls is None:
            continue  # nothing judged this slot: streaks neither grow nor break
        if not meets:
            off, on = off + 1, 0
            a = assess(vals, target, body)
            if episode is not None:
                episode.failing = _merge_worst(episode.failing, _failing_json(a))
                episode.worst_class = CLASSES[max(CLASSES.index(episode.worst_class), cls - 1)]
            elif off >= cfg["open_after"]:
                episode = StationEpisode(station_id=pk(st), kind="POLLUTION", started_at=t - slot * (off - 1),
                                         worst_class=CLASSES[cls - 1], failing=_failing_json(a), notified=notify)
                session.add(episode)
                await session.flush()
                st.open_episode_id = episode.id
                st.updated_at = utcnow()  # offTarget changed; the streaks alone do not move updatedAt
                made["opened"] += 1
                if notify:
                    await _open(session, settings, st, episode)
        else:
            on, off = on + 1, 0
            if episode is not None and on >= cfg["clear_after"]:
                episode.cleared_at = t
                made["cleared"] += 1
                if episode.notified:
                    await _notice(session, settings, st, episode, "STATION_CLEARED",
                                  f"【水质预警解除】{st.name}（{st.code}）已连续{cfg['clear_after']}次达到{st.target_class}类目标，"
                                  f"{_local(t)} 解除")
                episode, st.open_episode_id = None, None
                st.updated_at = utcnow()
    if through != st.evaluated_through:
        st.off_streak, st.on_streak, st.fault_streak, st.evaluated_through = off, on, faults, through
    await session.flush()
    return made


def _local(t: datetime) -> str:
    return (t + timedelta(hours=rules()["daily"]["timezone_hours"])).strftime("%m-%d %H:%M")


async def _notice(session, settings, st: Station, ep: StationEpisode, type_: str, text: str) -> None:
    await enqueue_notice(session=session, settings=settings, event_key=f"station_episode:{ep.id}:{type_}", type_=type_,
                         district_code=st.district_code, text=text,
                         payload={"station_code": st.code, "episode_id": ep.id, "kind": ep.kind,
                                  "started_at": ep.started_at.isoformat(), "failing": ep.failing})


async def _open(session, settings, st: Station, ep: StationEpisode) -> None:
    desc = _describe(ep.failing)
    await _notice(session, settings, st, ep, "STATION_ALERT",
                  f"【水质预警】{st.name}（{st.code}）自 {_local(ep.started_at)} 起劣于{st.target_class}类目标：{desc}")
    worst = ep.failing[0]["parameter"] if ep.failing else None
    t = Task(kind="EXCEEDANCE", source="STATION", parameter=worst, district_code=st.district_code,
             title=f"{st.name}断面水质超标（{ep.worst_class}类，目标{st.target_class}类）"[:200],
             description=f"自动站 {st.code} 自 {_local(ep.started_at)} 起超标：{desc}。请排查上游排污口（溯源）。"[:4000],
             lat=st.lat, lon=st.lon, deadline=exceedance_deadline(settings))
    await raise_system_task(session=session, actor=None, settings=settings, task=t, station=st.code,
                            episode_id=ep.id, parameter=worst)
    ep.task_id = t.id
