"""Calendar, trend, forecast and summaries of station readings (rules in server/reference/stations.json)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pymannkendall as mk
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.errors import BadInput
from server.domain.stations.assess import assess, class_name, classify, limit, river_grade
from server.domain.stations.models import Station
from server.domain.stations.params import BY_KEY, rules
from server.domain.stations.series import daily_values, local_day, valid_points
from server.domain.sqltypes import pk

SLOT = timedelta(hours=4)
MIN_TREND_YEARS = 2


@dataclass
class Day:
    day: date
    cls: int | None
    meets_target: bool | None
    failing: list = field(default_factory=list)  # assess.Failing


def _days(values: dict[date, dict[str, float]], st: Station, start: date, end: date) -> list[Day]:
    out = []
    d = start
    while d <= end:
        v = values.get(d)
        if v:
            cls, meets = classify(v, st.target_class, st.water_body)
            # The failing indicators only for the days that miss the target (the few red cells of a year).
            failing = list(assess(v, st.target_class, st.water_body).failing) if meets is False else []
            out.append(Day(d, cls, meets, failing))
        else:
            out.append(Day(d, None, None))
        d += timedelta(days=1)
    return out


def month_span(year: int, month: int | None) -> tuple[date, date]:
    if not 1990 <= year <= 2100:
        raise BadInput("year must be between 1990 and 2100", field="year")
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if not 1 <= month <= 12:
        raise BadInput("month must be 1-12", field="month")
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, 1), nxt - timedelta(days=1)


async def calendar(session: AsyncSession, st: Station, year: int, month: int | None = None) -> list[Day]:
    """碧水日历: the class of each day of a month or a year (None where the day has too few valid values)."""
    start, end = month_span(year, month)
    vals = await daily_values(session, [pk(st)], start, end)
    return _days(vals.get(pk(st), {}), st, start, end)


async def city_calendar(session: AsyncSession, stations: list[Station], year: int, month: int) -> dict[int, list[Day]]:
    start, end = month_span(year, month)
    vals = await daily_values(session, [pk(s) for s in stations], start, end)
    return {pk(s): _days(vals.get(pk(s), {}), s, start, end) for s in stations}


def target_limit(st: Station, param: str) -> tuple[str, float | None, float | None] | None:
    """(direction, upper, lower) of the target class's limit for a parameter, or None."""
    lim = limit(param, st.target_class, st.water_body) if BY_KEY[param].gb3838 else None
    if lim is None:
        return None
    return (lim.direction, lim.high if lim.direction != "min" else None,
            lim.low if lim.direction != "max" else None)


# --- trend -------------------------------------------------------------------------------------

@dataclass
class Trend:
    parameter: str
    method: str
    months: int
    trend: str | None  # increasing | decreasing | no trend; None with too little data
    significant: bool | None
    p_value: float | None
    z: float | None
    tau: float | None
    s: float | None
    sen_slope_per_year: float | None
    alpha: float
    note: str


def monthly_medians(points: list[tuple[datetime, float]]) -> list[float]:
    """Monthly medians from the first to the last month (NaN for months without values)."""
    if not points:
        return []
    by: dict[tuple[int, int], list[float]] = {}
    for t, v in points:
        d = local_day(t)
        by.setdefault((d.year, d.month), []).append(v)
    (y0, m0), (y1, m1) = min(by), max(by)
    out = []
    y, m = y0, m0
    while (y, m) <= (y1, m1):
        vals = sorted(by.get((y, m), []))
        n = len(vals)
        out.append(math.nan if n == 0 else (vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    # pymannkendall's seasons start at the series' first value; align so season k is calendar month k.
    return [math.nan] * (m0 - 1) + out


def seasonal_trend(values: list[float], alpha: float = 0.05) -> tuple:
    """pymannkendall.seasonal_test on monthly values (period 12): the Seasonal Mann-Kendall test with the
    seasonal Sen's slope (per year, since one step of a season is one year)."""
    r = mk.seasonal_test(values, period=12, alpha=alpha)
    return r.trend, bool(r.h), float(r.p), float(r.z), float(r.Tau), float(r.s), float(r.slope)


async def trend(session: AsyncSession, st: Station, param: str, alpha: float = 0.05) -> Trend:
    pts = await valid_points(session, pk(st), param)
    months = monthly_medians(pts)
    n = sum(1 for v in months if not math.isnan(v))
    method = "Seasonal Mann-Kendall (Hirsch et al. 1982) on monthly medians, seasonal Sen's slope; pyMannKendall"
    if n < 12 * MIN_TREND_YEARS:
        return Trend(param, method, n, None, None, None, None, None, None, None, alpha,
                     f"needs at least {MIN_TREND_YEARS} years of monthly values; has {n} months")
    tr, h, p, z, tau, s, slope = seasonal_trend(months, alpha)
    return Trend(param, method, n, tr, h, p, z, tau, s, slope, alpha,
                 f"{'significant' if h else 'not significant'} at α = {alpha}")


# --- forecast ----------------------------------------------------------------------------------

def _cfg() -> dict:
    return rules()["forecast"]


def _model(series: dict[datetime, float], origin: datetime, days: int):
    """From the `days` days up to the origin: level L (mean), slot-of-day profile P (mean per slot minus
    L), the origin's anomaly A = last - (L + P[origin slot]) and the anomalies' lag-1 autocorrelation phi."""
    start = origin - timedelta(days=days) + SLOT
    window = [(t, v) for k in range(days * 6) if (v := series.get(t := start + SLOT * k)) is not None]
    if len(window) < days * 3 or series.get(origin) is None:
        return None
    level = sum(v for _, v in window) / len(window)
    by_slot: dict[int, list[float]] = {}
    for t, v in window:
        by_slot.setdefault(t.hour, []).append(v)
    prof = {h: sum(v) / len(v) - level for h, v in by_slot.items()}
    anomalies = {t: v - level - prof[t.hour] for t, v in window}
    pairs = [(anomalies[t], anomalies[t + SLOT]) for t in anomalies if t + SLOT in anomalies]
    num = sum(x * y for x, y in pairs)
    den = sum(x * x for x, _ in pairs)
    phi = min(0.99, max(0.0, num / den)) if den > 0 else 0.0
    return level, prof, anomalies[origin], phi


def _predict(model, origin: datetime, steps: int) -> float:
    level, prof, anomaly, phi = model
    t = origin + SLOT * steps
    return level + prof.get(t.hour, 0.0) + anomaly * phi ** steps


@dataclass
class Backtest:
    horizon_hours: int
    n: int
    mae: float | None
    mae_persistence: float | None
    residuals: list[float] = field(default_factory=list)


def backtest(points: list[tuple[datetime, float]], horizons_hours: list[int] | None = None,
             days: int | None = None, max_origins: int = 1500) -> list[Backtest]:
    """Every origin with history (the latest `max_origins`): the method's and persistence's absolute errors."""
    horizons_hours = horizons_hours or _cfg()["horizons_hours"]
    days = days or _cfg()["history_days"]
    series = dict(points)
    times = [t for t, _ in points]
    if not times:
        return [Backtest(h, 0, None, None) for h in horizons_hours]
    first_ok = times[0] + timedelta(days=days)
    origins = [t for t in times if t >= first_ok][-max_origins:]
    models = {o: _model(series, o, days) for o in origins}
    out = []
    for h in horizons_hours:
        steps = h // 4
        errs, perr, res = [], [], []
        for o in origins:
            actual, m = series.get(o + SLOT * steps), models[o]
            if actual is None or m is None:
                continue
            f = _predict(m, o, steps)
            errs.append(abs(f - actual))
            perr.append(abs(series[o] - actual))
            res.append(actual - f)
        n = len(errs)
        out.append(Backtest(h, n, sum(errs) / n if n else None, sum(perr) / n if n else None, res))
    return out


@dataclass
class ForecastPoint:
    horizon_hours: int
    at: datetime
    value: float
    low: float  # 10th percentile from the backtest residuals
    high: float  # 90th percentile
    exceedance_probability: float | None  # of being worse than the target class's limit


@dataclass
class Forecast:
    parameter: str
    method: str
    origin: datetime | None
    points: list[ForecastPoint]
    backtest: list[Backtest]
    limit: float | None
    direction: str | None


def _q(sorted_vals: list[float], q: float) -> float:
    if not sorted_vals:
        return 0.0
    i = min(len(sorted_vals) - 1, max(0, int(round(q * (len(sorted_vals) - 1)))))
    return sorted_vals[i]


def _p_worse(value: float, residuals: list[float], lim) -> float | None:
    if lim is None or not residuals:
        return None
    direction, hi, lo = lim
    bad = 0
    for r in residuals:
        x = value + r
        if (hi is not None and x > hi) or (lo is not None and x < lo):
            bad += 1
    return bad / len(residuals)


async def forecast(session: AsyncSession, st: Station, param: str, *, history_days: int = 120) -> Forecast:
    """24-72 h ahead from the latest valid value, with the backtest over the last `history_days`."""
    cfg = _cfg()
    last = await valid_points(session, pk(st), param)
    cutoff = last[-1][0] - timedelta(days=history_days) if last else None
    pts = [p for p in last if cutoff is None or p[0] >= cutoff]
    bt = backtest(pts)
    lim = target_limit(st, param)
    out = []
    model = _model(dict(pts), pts[-1][0], cfg["history_days"]) if pts else None
    if model is not None:
        origin = pts[-1][0]
        for b in bt:
            steps = b.horizon_hours // 4
            v = _predict(model, origin, steps)
            res = sorted(b.residuals)
            out.append(ForecastPoint(b.horizon_hours, origin + SLOT * steps, v, v + _q(res, 0.1), v + _q(res, 0.9),
                                     _p_worse(v, res, lim)))
    return Forecast(param, cfg["method"], pts[-1][0] if pts else None, out, bt,
                    (lim[1] if lim[1] is not None else lim[2]) if lim else None, lim[0] if lim else None)


# --- summaries ---------------------------------------------------------------------------------

@dataclass
class StationPeriod:
    station: Station
    cls: int | None
    meets_target: bool | None
    failing: list


@dataclass
class Summary:
    scope: str  # 全市 or a river code
    stations: int
    assessed: int
    meeting_target: int
    class_i_to_iii: int
    worse_than_v: int
    grade: str | None
    items: list[StationPeriod] = field(default_factory=list)

    @property
    def share_meeting_target(self) -> float | None:
        return self.meeting_target / self.assessed if self.assessed else None

    @property
    def share_i_to_iii(self) -> float | None:
        return self.class_i_to_iii / self.assessed if self.assessed else None


async def period_assessment(session: AsyncSession, stations: list[Station], start: date, end: date) -> list[StationPeriod]:
    """Each station's class over a period: the mean of its daily values per indicator, then single-factor."""
    vals = await daily_values(session, [pk(s) for s in stations], start, end)
    out = []
    for st in stations:
        acc: dict[str, list[float]] = {}
        for day in vals.get(pk(st), {}).values():
            for p, v in day.items():
                acc.setdefault(p, []).append(v)
        means = {p: sum(v) / len(v) for p, v in acc.items()}
        a = assess(means, st.target_class, st.water_body)
        out.append(StationPeriod(st, a.cls, a.meets_target, list(a.failing)))
    return out


def summarise(scope: str, items: list[StationPeriod]) -> Summary:
    judged = [i for i in items if i.cls is not None]
    classes = [i.cls for i in items if i.cls is not None]
    s = Summary(scope, len(items), len(judged), sum(1 for i in judged if i.meets_target),
                sum(1 for c in classes if c <= 3), sum(1 for c in classes if c == 6), None, items)
    s.grade = river_grade(classes) if len(judged) >= 5 else None
    return s


async def summaries(session: AsyncSession, start: date, end: date) -> tuple[Summary, list[Summary]]:
    """The city and each river over a period (ACTIVE stations)."""
    stations = list((await session.execute(select(Station).where(col(Station.status) == "ACTIVE")
                                           .order_by(col(Station.river_code), col(Station.river_km)))).scalars())
    items = await period_assessment(session, stations, start, end)
    by_river: dict[str, list[StationPeriod]] = {}
    for i in items:
        by_river.setdefault(i.station.river_code, []).append(i)
    rivers = []
    for code, its in by_river.items():
        s = summarise(code, its)
        if s.grade is None and its:
            # fewer than 5 sections: average each indicator over the sections, then single-factor (domain.md 6)
            s.grade = await _average_grade(session, [i.station for i in its], start, end)
        rivers.append(s)
    return summarise("全市", items), rivers


async def _average_grade(session, stations: list[Station], start: date, end: date) -> str | None:
    from server.domain.stations.assess import grade

    vals = await daily_values(session, [pk(s) for s in stations], start, end)
    acc: dict[str, list[float]] = {}
    for sid in vals:
        for day in vals[sid].values():
            for p, v in day.items():
                acc.setdefault(p, []).append(v)
    means = {p: sum(v) / len(v) for p, v in acc.items()}
    a = assess(means, stations[0].target_class, stations[0].water_body)
    return grade(a.cls)


__all__ = ["calendar", "city_calendar", "trend", "forecast", "backtest", "summaries", "class_name"]
