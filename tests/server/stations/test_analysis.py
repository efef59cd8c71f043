"""Calendar of a made month, LTTB keeping peaks, Seasonal Mann-Kendall + Sen's slope on known series,
the forecast's backtest against persistence, and the API over them."""
from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta, timezone

import pytest

from server.domain.stations import analysis
from server.domain.stations.ingest import Series, ingest
from server.domain.stations.series import day_start, lttb
from server.reference import domain

GB = domain()["gb3838"]
CN = timezone(timedelta(hours=8))


def test_lttb_keeps_first_last_and_peaks():
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    pts = [(t0 + timedelta(hours=4 * i), math.sin(i / 30) + (9.0 if i == 1234 else 0.0)) for i in range(2190)]
    out = lttb(pts, 200)
    assert len(out) == 200 and out[0] == pts[0] and out[-1] == pts[-1]
    assert pts[1234] in out  # the one peak survives
    assert [p[0] for p in out] == sorted(p[0] for p in out)
    assert lttb(pts[:50], 200) == pts[:50]


def test_seasonal_mann_kendall_known_trend_and_none():
    rng = random.Random(3)
    seasonal = [2 * math.sin(2 * math.pi * m / 12) for m in range(12)]
    up = [1.0 + 0.5 * (i / 12) + seasonal[i % 12] + rng.gauss(0, 0.05) for i in range(60)]  # +0.5 per year
    tr, h, p, z, tau, s, slope = analysis.seasonal_trend(up)
    assert tr == "increasing" and h and p < 0.001 and slope == pytest.approx(0.5, abs=0.05)
    flat = [1.0 + seasonal[i % 12] + rng.gauss(0, 0.3) for i in range(60)]
    tr, h, p, z, tau, s, slope = analysis.seasonal_trend(flat)
    assert tr == "no trend" and not h and p > 0.05 and abs(slope) < 0.15


def test_monthly_medians_align_seasons_with_calendar_months():
    pts = [(datetime(2025, 3, 10, tzinfo=CN), 1.0), (datetime(2025, 3, 11, tzinfo=CN), 3.0),
           (datetime(2025, 5, 1, tzinfo=CN), 5.0)]
    m = analysis.monthly_medians(pts)
    assert math.isnan(m[0]) and m[2] == 2.0 and math.isnan(m[3]) and m[4] == 5.0


def test_forecast_beats_persistence_on_a_diurnal_mean_reverting_series():
    rng = random.Random(5)
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    pts, a = [], 0.0
    for i in range(6 * 60):
        a = 0.6 * a + rng.gauss(0, 0.3)
        pts.append((t0 + timedelta(hours=4 * i), 8 + math.sin(2 * math.pi * i / 6) + a))
    bt = analysis.backtest(pts)
    assert [b.horizon_hours for b in bt] == [24, 48, 72]
    for b in bt:
        assert b.n > 200 and b.mae < b.mae_persistence


async def _made_month(db, settings, station):
    """November 2026: days 1-10 class II values, 11-12 NH3-N at class V, 13 too few valid values."""
    ts, nh3, flags = [], [], []
    for d in range(1, 14):
        for k in range(6):
            ts.append(day_start(date(2026, 11, d)) + timedelta(hours=4 * k))
            v = GB["NH3_N"]["V"] if d in (11, 12) else GB["NH3_N"]["II"]
            nh3.append(v)
            flags.append("MISSING" if d == 13 and k >= 2 else "VALID")
    nh3 = [None if f == "MISSING" else v for v, f in zip(nh3, flags)]
    async with db.transaction() as s:
        await ingest(session=s, actor=None, settings=settings, series=[
            Series(station.code, "NH3_N", ts, nh3, flags), Series(station.code, "PH", ts, [7.6] * len(ts))])


async def test_calendar_of_a_made_month(db, settings, station, users):
    await _made_month(db, settings, station)
    async with db.session() as s:
        days = await analysis.calendar(s, station, 2026, 11)
    assert len(days) == 30
    assert [d.cls for d in days[:10]] == [2] * 10 and all(d.meets_target for d in days[:10])
    assert days[10].cls == 5 and days[10].meets_target is False
    f = days[10].failing[0]
    assert f.parameter == "NH3_N" and f.limit == GB["NH3_N"]["III"] and f.limit_class == "III"
    assert f.multiple == pytest.approx((GB["NH3_N"]["V"] - GB["NH3_N"]["III"]) / GB["NH3_N"]["III"])
    assert days[12].cls is None and days[20].cls is None  # too few valid values; no data


async def test_api_calendar_series_trend_forecast_summary(gql, db, settings, station, users):
    await _made_month(db, settings, station)
    g = await gql.as_("inspector")
    q = """query($id: ID!) { station(id: $id) {
        calendar(year: 2026, month: 11) { day waterClass meetsTarget failing { parameter multiple limitClass } }
        series(parameter: NH3_N, from: "2026-11-01T00:00:00+08:00", maxPoints: 20) { totalPoints limit limitClass
          points { at value } }
        trend(parameter: NH3_N) { trend months note }
        forecast(parameter: NH3_N) { method points { horizonHours } backtest { horizonHours n } }
        episodes { kind startedAt clearedAt failing { parameter } } } }"""
    st = (await g(q, {"id": str(station.id)}))["station"]
    assert st["calendar"][10]["waterClass"] == "V" and st["calendar"][10]["failing"][0]["limitClass"] == "III"
    assert st["series"]["totalPoints"] == 74 and len(st["series"]["points"]) == 20
    assert st["series"]["limit"] == GB["NH3_N"]["III"]
    assert max(p["value"] for p in st["series"]["points"]) == GB["NH3_N"]["V"]
    assert st["trend"]["trend"] is None and "2 years" in st["trend"]["note"]
    assert [p["horizonHours"] for p in st["forecast"]["points"]] == [24, 48, 72]
    assert [e["kind"] for e in st["episodes"]] == ["POLLUTION"]  # the made month's class-V days, from history
    summary = (await g('{ waterQualitySummary(start: "2026-11-01", end: "2026-11-30") { city { stations assessed '
                       'meetingTarget shareClassIToIii offTarget { station { code } } } rivers { scope grade } } }'))
    city = summary["waterQualitySummary"]["city"]
    assert city["stations"] == 1 and city["assessed"] == 1
    err = await g.error('query($id: ID!) { station(id: $id) { series(parameter: TP, from: "2026-11-01T00:00:00", '
                        'maxPoints: 2) { totalPoints } } }', {"id": str(station.id)})
    assert err["extensions"]["code"] == "BAD_USER_INPUT" and err["extensions"]["field"] == "maxPoints"
