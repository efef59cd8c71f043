// A station (断面/自动站): facts, 碧水日历, a downsampled series with the target limit and the forecast,
// trend, off-target episodes, and 溯: the upstream suspects with "raise tasks for the selected" in one step.
import { useState } from "preact/hooks";
import { gql, type ApiError } from "../api";
import { config } from "../config";
import { fmtTime, lang, t } from "../i18n";
import { useAsync, useLang } from "../hooks";
import type { Me } from "../session";
import { Chart } from "../charts";
import { ErrorBox } from "../ui";
import { pname } from "../params";

export const PARAMETERS = ["NH3_N", "TP", "CODMN", "DO", "PH", "TN", "TURBIDITY", "CONDUCTIVITY", "WATER_TEMP"];
// GB 3838 class colours as water-quality maps in China draw them (I–II blue, III green, IV yellow, V orange, 劣V red).
export const CLASS_COLOURS: Record<string, string> = {
  I: "#3aa0e8", II: "#1f6fd1", III: "#2ca25f", IV: "#f2c500", V: "#f07c00", "劣V": "#c81e1e",
};
export { pname };

const FACTS = `query($id: ID!, $year: Int!) { station(id: $id) {
  id code name riverCode districtCode riverKm level targetClass waterBody status offTarget location { lat lon }
  calendar(year: $year) { day waterClass meetsTarget failing { parameter multiple } }
  episodes(first: 20) { id kind startedAt clearedAt worstClass taskId failing { parameter value waterClass limit multiple } }
} rivers { code name nameEn } districts { code name nameEn } }`;

const ANALYSIS = `query($id: ID!, $p: StationParameter!, $from: DateTime!) { station(id: $id) {
  series(parameter: $p, from: $from, maxPoints: 400) { unit totalPoints limit limitLow limitClass points { at value } }
  trend(parameter: $p) { method months trend significant pValue senSlopePerYear note }
  forecast(parameter: $p) { method origin limit points { horizonHours at value low high exceedanceProbability }
    backtest { horizonHours n mae maePersistence } }
} }`;

function suspectsQuery() {
  const loc = config.tileCrs === "GCJ02" ? "location(crs: GCJ02)" : "location";
  return `query($id: ID!, $p: StationParameter!, $km: Float!, $trib: Boolean!) { station(id: $id) {
  upstreamSuspects(parameter: $p, maxKm: $km, tributaries: $trib, first: 20) { total scoreNote courseSource
    suspects { riverCode riverKm distanceKm via score openTasks latestTest { value unit exceeded observedAt }
      outfall { id code name category ${loc} { lat lon } } } } } }`;
}

function Calendar({ days, year, onYear }: { days: any[]; year: number; onYear: (y: number) => void }) {
  const byMonth: any[][] = Array.from({ length: 12 }, () => []);
  for (const d of days) byMonth[Number(d.day.slice(5, 7)) - 1].push(d);
  const counts: Record<string, number> = {};
  for (const d of days) if (d.waterClass) counts[d.waterClass] = (counts[d.waterClass] ?? 0) + 1;
  const met = days.filter((d) => d.meetsTarget === true).length, judged = days.filter((d) => d.meetsTarget != null).length;
  return (
    <div>
      <div class="row calnav">
        <button onClick={() => onYear(year - 1)} aria-label={t("previousYear")}>‹</button>
        <b>{year}</b>
        <button onClick={() => onYear(year + 1)} aria-label={t("nextYear")} disabled={year >= new Date().getFullYear()}>›</button>
        <span class="muted">{t("meetsTarget")} {met}/{judged}</span>
      </div>
      <table class="calendar" data-testid="calendar">
        <tbody>
          {byMonth.map((ds, m) => (
            <tr><th scope="row">{lang === "en" ? new Date(2000, m, 1).toLocaleString("en", { month: "short" }) : `${m + 1}月`}</th>
              {ds.map((d) => (
                <td class={d.meetsTarget === false ? "miss" : ""} style={d.waterClass ? { background: CLASS_COLOURS[d.waterClass] } : undefined}
                    title={`${d.day} ${d.waterClass ?? t("noData")}${d.meetsTarget === false ? " · " + t("offTarget") : ""}`}
                    data-class={d.waterClass ?? ""} />))}
            </tr>))}
        </tbody>
      </table>
      <ul class="legend inline">
        {Object.entries(CLASS_COLOURS).map(([c, col]) => (
          <li><i style={{ background: col, borderRadius: 0 }} />{c} {counts[c] ? `(${counts[c]})` : ""}</li>))}
        <li><i class="missmark" />{t("offTarget")}</li>
      </ul>
    </div>
  );
}

function trendWords(tr: any): string {
  if (!tr || !tr.trend) return tr?.note ?? "—";
  const dir = tr.trend === "increasing" ? t("increasing") : tr.trend === "decreasing" ? t("decreasing") : t("noTrend");
  const sig = tr.significant ? t("significant") : t("notSignificant");
  return `${dir} (${sig}, p = ${tr.pValue?.toFixed(3) ?? "—"}) · ${t("senSlope")} ${tr.senSlopePerYear?.toPrecision(3) ?? "—"}`;
}

function Analysis({ id, parameter }: { id: string; parameter: string }) {
  const from = new Date(Date.now() - 365 * 86_400_000).toISOString();
  const { data, error, reload } = useAsync(() => gql<any>(ANALYSIS, { id, p: parameter, from }), [id, parameter]);
  if (error) return <ErrorBox error={error} onRetry={reload} />;
  if (!data) return <p class="muted">{t("loading")}</p>;
  const { series: s, trend: tr, forecast: fc } = data.station;
  const marks: any[] = [];
  if (s.limit != null) marks.push({ yAxis: s.limit, label: { formatter: `${t("limit")} ${s.limitClass ?? ""} ${s.limit}` } });
  if (s.limitLow != null) marks.push({ yAxis: s.limitLow, label: { formatter: `${t("limit")} ${s.limitLow}` } });
  const option = {
    grid: { left: 50, right: 90, top: 24, bottom: 28 }, tooltip: { trigger: "axis" },
    xAxis: { type: "time" }, yAxis: { type: "value", scale: true, name: s.unit },
    series: [
      { type: "line", name: pname(parameter), showSymbol: false, data: s.points.map((p: any) => [p.at, p.value]),
        itemStyle: { color: "#1f5f99" },
        markLine: marks.length ? { symbol: "none", lineStyle: { color: "#b3261e", type: "dashed" }, data: marks } : undefined },
      { type: "line", name: t("forecast"), data: fc.points.map((p: any) => [p.at, p.value]), symbolSize: 6,
        lineStyle: { type: "dashed", color: "#8a5300" }, itemStyle: { color: "#8a5300" } },
    ],
  };
  return (
    <div>
      <Chart label={`${t("series")} ${pname(parameter)}`} height={260} option={option} />
      <p class="muted small" data-testid="series-note">{s.points.length} / {s.totalPoints} (LTTB)</p>
      <div class="cols">
        <div>
          <h3>{t("trend")}</h3>
          <p data-testid="trend">{trendWords(tr)}</p>
          <p class="muted small">{tr.method}</p>
        </div>
        <div>
          <h3>{t("forecast")}</h3>
          <table class="grid compact">
            <thead><tr><th>{t("horizon")}</th><th>{t("value")}</th><th>{t("band")}</th><th>{t("exceedProb")}</th></tr></thead>
            <tbody>{fc.points.map((p: any) => (
              <tr><td>{p.horizonHours} h</td><td>{p.value.toPrecision(3)}</td><td>{p.low.toPrecision(3)}–{p.high.toPrecision(3)}</td>
                <td>{p.exceedanceProbability == null ? "—" : `${Math.round(p.exceedanceProbability * 100)}%`}</td></tr>))}</tbody>
          </table>
          <p class="muted small">{fc.method}. {t("backtest")}: {fc.backtest.map((b: any) =>
            `${b.horizonHours} h ${b.mae?.toPrecision(3) ?? "—"} / ${b.maePersistence?.toPrecision(3) ?? "—"}`).join(" · ")}</p>
        </div>
      </div>
    </div>
  );
}

function Suspects({ me, station, parameter }: { me: Me; station: any; parameter: string }) {
  const [km, setKm] = useState(20);
  const [trib, setTrib] = useState(false);
  const [chosen, setChosen] = useState<Set<string> | null>(null);
  const [raised, setRaised] = useState<any[] | null>(null);
  const [err, setErr] = useState("");
  const [busy, setBusy] = useState(false);
  const [clientId, setClientId] = useState(() => crypto.randomUUID()); // a retried click raises once
  const { data, error, reload } = useAsync(() => gql<any>(suspectsQuery(), { id: station.id, p: parameter, km, trib }),
                                          [station.id, parameter, km, trib]);
  const canRaise = ["SUPERVISOR", "ADMIN"].includes(me.role);
  if (error) return <ErrorBox error={error} onRetry={reload} />;
  if (!data) return <p class="muted">{t("loading")}</p>;
  const u = data.station.upstreamSuspects;
  const top = new Set<string>(u.suspects.slice(0, 3).map((s: any) => s.outfall.id));
  const sel = chosen ?? top;
  const toggle = (id: string) => { const n = new Set(sel); if (n.has(id)) n.delete(id); else n.add(id); setChosen(n); };
  async function raise() {
    setBusy(true); setErr("");
    try {
      const d = await gql<any>(`mutation($s: ID!, $p: StationParameter!, $o: [ID!]!, $c: ID!, $km: Float!, $trib: Boolean!) {
        raiseSuspectTasks(stationId: $s, parameter: $p, outfallIds: $o, clientId: $c, maxKm: $km, tributaries: $trib) { id code title } }`,
        { s: station.id, p: parameter, o: [...sel], c: clientId, km, trib });
      setRaised(d.raiseSuspectTasks);
      setClientId(crypto.randomUUID());
      reload();
    } catch (x) {
      setErr((x as ApiError).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div data-testid="suspects-ready">
      <div class="filters">
        <label>{t("maxKm")}<select name="maxKm" value={km} onChange={(e) => { setKm(Number((e.target as HTMLSelectElement).value)); setChosen(null); }}>
          {[5, 10, 20, 50].map((k) => <option value={k}>{k}</option>)}</select></label>
        <label class="check"><input type="checkbox" name="tributaries" checked={trib} onChange={(e) => { setTrib((e.target as HTMLInputElement).checked); setChosen(null); }} />{t("tributaries")}</label>
        <span class="muted">{u.total} {t("outfalls")}</span>
      </div>
      {u.suspects.length === 0 ? <p class="muted">{t("suspectsNone")}</p> : (
        <table class="grid" data-testid="suspects">
          <thead><tr><th>{t("select")}</th><th>{t("rank")}</th><th>{t("outfall")}</th><th>{t("river")}</th><th>{t("distanceKm")}</th>
            <th>{t("score")}</th><th>{t("latestTest")}</th><th>{t("openTasks")}</th></tr></thead>
          <tbody>{u.suspects.map((s: any, i: number) => (
            <tr data-outfall={s.outfall.id}>
              <td><input type="checkbox" checked={sel.has(s.outfall.id)} onChange={() => toggle(s.outfall.id)}
                         aria-label={`${t("select")} ${s.outfall.code}`} /></td>
              <td>{i + 1}</td>
              <td><a href={`#/outfall/${s.outfall.id}`}>{s.outfall.code}</a> {s.outfall.name}</td>
              <td>{s.via.join(" → ")}</td><td>{s.distanceKm.toFixed(1)}</td><td>{s.score.toFixed(2)}</td>
              <td>{s.latestTest ? <span class={`reading ${s.latestTest.exceeded ? "bad" : ""}`}>{s.latestTest.value} {s.latestTest.unit} · {fmtTime(s.latestTest.observedAt)}</span> : "—"}</td>
              <td>{s.openTasks}</td></tr>))}</tbody>
        </table>)}
      <p class="muted small">{u.scoreNote}</p>
      {canRaise ? (
        <div class="row">
          <button class="primary" data-testid="raise-suspects" disabled={busy || sel.size === 0} onClick={raise}>
            {t("raiseTopTasks")} ({sel.size})</button>
        </div>) : <p class="muted">{t("notAllowedRaise")}</p>}
      {err && <p class="error" role="alert">{err}</p>}
      {raised && <p class="notice" role="status" data-testid="raised">{t("raised")}: {raised.map((x) => <a href={`#/task/${x.id}`}>{x.code} </a>)}</p>}
    </div>
  );
}

export function StationPage({ me, id }: { me: Me; id: string }) {
  useLang();
  const [year, setYear] = useState(new Date().getFullYear());
  const { data, error, loading, reload } = useAsync(() => gql<any>(FACTS, { id, year }), [id, year]);
  const [param, setParam] = useState<string | null>(null);
  if (loading && !data) return <p class="pad">{t("loading")}</p>;
  if (error) return <div class="pad"><ErrorBox error={error} onRetry={reload} /></div>;
  const s = data.station;
  if (!s) return <div class="pad"><ErrorBox error={{ code: "NOT_FOUND", message: id }} /></div>;
  const open = s.episodes.find((e: any) => !e.clearedAt && e.kind === "POLLUTION");
  const parameter = param ?? open?.failing?.[0]?.parameter ?? "NH3_N";
  const river = data.rivers.find((r: any) => r.code === s.riverCode);
  const district = data.districts.find((r: any) => r.code === s.districtCode);
  const nmx = (x: any, code: string) => (x ? (lang === "en" ? x.nameEn : x.name) : code);
  return (
    <div class="page station">
      <header class="pagehead">
        <h1><span data-testid="station-code">{s.code}</span> {s.name}</h1>
        {s.offTarget ? <span class="badge bad" data-testid="station-state">{t("offTarget")}</span>
                     : <span class="badge ok" data-testid="station-state">{t("meetsTarget")}</span>}
        <a href="#/map">← {t("map")}</a>
      </header>
      <div class="cols">
        <section class="card">
          <h2>{t("station")}</h2>
          <dl class="facts">
            <dt>{t("river")}</dt><dd>{nmx(river, s.riverCode)}{s.riverKm != null ? ` · ${s.riverKm.toFixed(1)} km` : ""}</dd>
            <dt>{t("district")}</dt><dd>{nmx(district, s.districtCode)}</dd>
            <dt>{t("level")}</dt><dd>{t(s.level)}</dd>
            <dt>{t("targetClass")}</dt><dd>{s.targetClass}</dd>
            <dt>{t("waterBody")}</dt><dd>{t(s.waterBody)}</dd>
            <dt>{t("status")}</dt><dd>{t(s.status)}</dd>
            <dt>WGS-84</dt><dd>{s.location.lat.toFixed(5)}, {s.location.lon.toFixed(5)}</dd>
          </dl>
          <h3>{t("episodes")}</h3>
          <table class="grid compact" data-testid="episodes">
            <thead><tr><th>{t("kind")}</th><th>{t("started")}</th><th>{t("cleared")}</th><th>{t("worstClass")}</th><th>{t("failing")}</th><th>{t("task")}</th></tr></thead>
            <tbody>{s.episodes.map((e: any) => (
              <tr class={!e.clearedAt ? "open" : ""}><td>{t(e.kind)}</td><td>{fmtTime(e.startedAt)}</td>
                <td>{e.clearedAt ? fmtTime(e.clearedAt) : <b>{t("ongoing")}</b>}</td><td>{e.worstClass ?? "—"}</td>
                <td>{e.failing.map((f: any) => `${pname(f.parameter)} ${f.value}${f.multiple != null ? ` (${f.multiple.toFixed(2)}×)` : ""}`).join("; ")}</td>
                <td>{e.taskId ? <a href={`#/task/${e.taskId}`}>{t("task")}</a> : "—"}</td></tr>))}</tbody>
          </table>
          {!s.episodes.length && <p class="muted">{t("none")}</p>}
        </section>
        <section class="card">
          <h2>{t("calendar")}</h2>
          <Calendar days={s.calendar} year={year} onYear={setYear} />
        </section>
      </div>
      <section class="card">
        <div class="pagehead">
          <h2>{t("series")}</h2>
          <label>{t("parameter")} <select name="parameter" value={parameter} onChange={(e) => setParam((e.target as HTMLSelectElement).value)}>
            {PARAMETERS.map((p) => <option value={p}>{pname(p)}</option>)}</select></label>
        </div>
        <Analysis id={s.id} parameter={parameter} />
      </section>
      <section class="card">
        <h2>{t("suspects")} · {pname(parameter)}</h2>
        <Suspects me={me} station={s} parameter={parameter} />
      </section>
    </div>
  );
}
