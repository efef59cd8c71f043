// 指挥调度大屏: a 1920×1080 dark wall display that needs no hands. The map, headline figures and a live
// feed of task events; figures are re-read after events and every minute; the graphql-ws client
// reconnects forever, and on reconnect everything is re-read, so a dropped connection heals itself.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import "maplibre-gl/dist/maplibre-gl.css";
// The console brings its own CJK font (OFL, from npm): an office PC or a wall display may have none.
import "@fontsource/noto-sans-sc/400.css";
import "@fontsource/noto-sans-sc/700.css";
import "../style.css";
import "./screen.css";
import { gql, onTaskEvents, token, wsClient, type TaskEvent } from "../api";
import { fmtTime, lang, nm, setLang, t } from "../i18n";
import { useLang } from "../hooks";
import { createMap, loadBasemap } from "../map/base";
import { loadTaskMarks, OutfallLayer } from "../map/outfalls";
import { barOption, Chart } from "../charts";

const FEED_MAX = 40; // bounded: the screen runs for days
const cst = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

async function figures() {
  const days = [...Array(7)].map((_, i) => cst(new Date(Date.now() - i * 86_400_000)));
  const q = `query { open: tasks(filter: {status: [OPEN, IN_PROGRESS, SUBMITTED, REJECTED]}, first: 0) { totalCount }
    overdue: tasks(filter: {overdue: true}, first: 0) { totalCount }
    ${days.map((d, i) => `d${i}: dailyBrief(date: "${d}") { approved exceedances { parameter } medianHoursToClose overdueByDistrict { key label count } }`).join("\n")} }`;
  const d = await gql<any>(q);
  const briefs = days.map((_, i) => d[`d${i}`]);
  return { open: d.open.totalCount, overdue: d.overdue.totalCount, exceedancesToday: briefs[0].exceedances.length,
           closedWeek: briefs.reduce((n: number, b: any) => n + b.approved, 0),
           median: briefs.find((b: any) => b.medianHoursToClose != null)?.medianHoursToClose ?? null,
           overdueByDistrict: briefs[0].overdueByDistrict };
}

function Screen() {
  useLang();
  const el = useRef<HTMLDivElement>(null);
  const layer = useRef<OutfallLayer | null>(null);
  const [fig, setFig] = useState<any>(null);
  const [feed, setFeed] = useState<TaskEvent[]>([]);
  const [online, setOnline] = useState(false);
  const [clock, setClock] = useState(new Date());
  const timer = useRef<number | null>(null);

  const refresh = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      figures().then(setFig).catch(() => {});
      layer.current?.ensureLoaded();
      if (layer.current) loadTaskMarks().then((m) => layer.current?.setTasks(m)).catch(() => {});
    }, 500);
  };

  useEffect(() => {
    const map = createMap(el.current!, { dark: true, interactive: false });
    (window as any).__owMap = map;
    map.on("load", () => {
      // No hands to pan: the whole city fills the map box, from the project's own reference rivers.
      loadBasemap().then((b) => {
        let w = 180, s = 90, e = -180, n = -90;
        for (const f of b.rivers.features) for (const [lo, la] of (f.geometry as GeoJSON.LineString).coordinates ?? []) {
          w = Math.min(w, lo); e = Math.max(e, lo); s = Math.min(s, la); n = Math.max(n, la);
        }
        for (const d of b.districts) { w = Math.min(w, d.lon); e = Math.max(e, d.lon); s = Math.min(s, d.lat); n = Math.max(n, d.lat); }
        if (w < e && s < n) map.fitBounds([[w, s], [e, n]], { padding: 40, duration: 0 });
      }).catch(() => {});
      const l = new OutfallLayer(map, { radius: 2.4 });
      l.setColour("task");
      layer.current = l;
      (window as any).__owLayer = l;
      refresh();
    });
    const client = wsClient((s) => { setOnline(s === "connected"); if (s === "connected") refresh(); });
    const off = onTaskEvents("id code title kind status district { code name nameEn } outfall { code name }", (e) => {
      setFeed((f) => [e, ...f].slice(0, FEED_MAX));
      refresh();
    });
    const every = setInterval(refresh, 60_000);
    const tick = setInterval(() => setClock(new Date()), 1000);
    refresh();
    return () => { off(); clearInterval(every); clearInterval(tick); map.remove(); client.dispose(); };
  }, []);

  return (
    <div class="wall">
      <header>
        <h1>{t("screenTitle")}</h1>
        <span class={`conn ${online ? "ok" : "bad"}`} role="status" data-testid="conn">{online ? t("connected") : t("reconnecting")}</span>
        <time>{clock.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai", hour12: false })}</time>
        <button class="link" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>{t("language")}</button>
      </header>
      <section class="figs">
        <div><b data-testid="fig-open">{fig?.open ?? "…"}</b><span>{t("openTasks")}</span></div>
        <div class="bad"><b data-testid="fig-overdue">{fig?.overdue ?? "…"}</b><span>{t("overdueTasks")}</span></div>
        <div><b>{fig?.exceedancesToday ?? "…"}</b><span>{t("exceedancesToday")}</span></div>
        <div class="ok"><b>{fig?.closedWeek ?? "…"}</b><span>{t("closedThisWeek")}</span></div>
        <div><b>{fig ? (fig.median ?? "—") : "…"}</b><span>{t("medianHours")}</span></div>
      </section>
      <div class="mapbox"><div ref={el} class="map" /></div>
      <aside class="feed" aria-live="polite">
        <h2>{t("liveFeed")}</h2>
        {feed.length === 0 && <p class="none">{t("waitingEvents")}</p>}
        <ol data-testid="feed">{feed.map((e) => (
          <li class={`ev-${e.type}`} data-task={e.task.code}>
            <time>{fmtTime(e.at).slice(-8)}</time> <b>{t(e.type)}</b> {e.task.code} {e.task.title}
            <span class="muted"> · {nm(e.task.district)}{e.task.outfall ? ` · ${e.task.outfall.name}` : ""}</span></li>))}</ol>
        {fig && <><h2>{t("overdueByDistrict")}</h2>
          {fig.overdueByDistrict.length
            ? <Chart height={260} label={t("overdueByDistrict")} option={barOption(fig.overdueByDistrict.slice(0, 8), { dark: true, horizontal: true, color: "#e0603a" })} />
            : <p class="none" data-testid="no-overdue">{t("noOverdue")}</p>}</>}
      </aside>
    </div>
  );
}

function Gate() {
  // The wall display is signed in once (same accounts as the console); it keeps its token.
  if (!token()) { location.href = "/console/#/map?next=screen"; return null; }
  return <Screen />;
}

render(<Gate />, document.getElementById("app")!);
