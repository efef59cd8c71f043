// 一张图: every outfall on a WebGL map, filters, search, on-screen statistics, exports.
import { useEffect, useRef, useState } from "preact/hooks";
import type maplibregl from "maplibre-gl";
import { download, gql } from "../api";
import { nm, t } from "../i18n";
import { useLang } from "../hooks";
import { reference, type Named } from "../reference";
import type { Me } from "../session";
import { createMap } from "../map/base";
import { loadTaskMarks, OutfallLayer, type ColourBy, type OutfallFilter } from "../map/outfalls";
import { config } from "../config";

const PHASES = ["SURVEYED", "MONITORED", "TRACED", "REMEDIATED"];
const CATEGORIES = ["INDUSTRIAL", "URBAN_SEWAGE_PLANT", "AGRICULTURAL", "OTHER"];
interface Bucket { key: string; label: string; count: number }

function Legend({ by }: { by: ColourBy }) {
  const items: [string, string][] = by === "phase"
    ? [["#7b8794", t("SURVEYED")], ["#2c7fb8", t("MONITORED")], ["#e6a100", t("TRACED")], ["#2ca25f", t("REMEDIATED")]]
    : by === "exceedance" ? [["#d7191c", t("exceeded")], ["#1a9641", t("notExceeded")], ["#9aa3ad", t("noInspection")]]
    : [["#d7191c", t("hasOverdue")], ["#f39c12", t("hasOpenTask")], ["#6c8ebf", t("noTask")]];
  return <ul class="legend">{items.map(([c, l]) => <li><i style={{ background: c }} />{l}</li>)}</ul>;
}

function Bars({ title, rows }: { title: string; rows: Bucket[] }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <section class="bars">
      <h4>{title}</h4>
      {rows.slice(0, 8).map((r) => (
        <div class="bar"><span class="k">{r.label}</span><span class="b" style={{ width: `${(80 * r.count) / max}px` }} /><span class="v">{r.count}</span></div>
      ))}
    </section>
  );
}

export function MapPage({ me }: { me: Me; params: URLSearchParams }) {
  useLang();
  const el = useRef<HTMLDivElement>(null);
  const layer = useRef<OutfallLayer | null>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const [ref, setRef] = useState<{ districts: Named[]; rivers: Named[] }>({ districts: [], rivers: [] });
  const [filter, setFilter] = useState<OutfallFilter>({});
  const [taskFilter, setTaskFilter] = useState<"" | "open" | "overdue">("");
  const [colour, setColour] = useState<ColourBy>("phase");
  const [total, setTotal] = useState<number | null>(null);
  const [loaded, setLoaded] = useState<[number, boolean]>([0, false]);
  const [stats, setStats] = useState<{ phase: Bucket[]; category: Bucket[]; district: Bucket[]; n: number } | null>(null);
  const [q, setQ] = useState("");
  const [hits, setHits] = useState<any[]>([]);

  useEffect(() => { reference().then((r) => { setRef(r); refreshStats(); }); }, []);

  useEffect(() => {
    const map = createMap(el.current!);
    mapRef.current = map;
    (window as any).__owMap = map;
    map.on("load", () => {
      const l = new OutfallLayer(map);
      layer.current = l;
      (window as any).__owLayer = l;
      l.onChange = (n, busy) => setLoaded([n, busy]);
      // Task marks and statistics wait for the first points: on a busy server the first draw comes first.
      map.once("idle", () => setTimeout(() => loadTaskMarks().then((m) => l.setTasks(m)).catch(() => {}), 1500));
      map.on("click", "outfalls", (e) => {
        const f = e.features?.[0];
        if (f) location.hash = `#/outfall/${f.properties!.id}`;
      });
      map.on("mouseenter", "outfalls", () => (map.getCanvas().style.cursor = "pointer"));
      map.on("mouseleave", "outfalls", () => (map.getCanvas().style.cursor = ""));
      map.on("moveend", () => refreshStats());
    });
    return () => map.remove();
  }, []);

  const refRef = useRef(ref);
  refRef.current = ref;
  const filterRef = useRef(filter);
  filterRef.current = filter;
  let statsTimer = useRef<number | null>(null);
  function refreshStats() {
    if (statsTimer.current) clearTimeout(statsTimer.current);
    statsTimer.current = window.setTimeout(async () => {
      if (!(window as any).__owFirstDraw && layer.current && !layer.current.idle()) { refreshStats(); return; }
      const map = mapRef.current;
      if (!map) return;
      const b = map.getBounds();
      const f = { ...filterRef.current, bbox: { south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast() } };
      const d: any = await gql(`query($f: OutfallFilter!) { n: outfalls(filter: $f, first: 0) { totalCount }
        phase: outfallStats(groupBy: PHASE, filter: $f) { key label count }
        category: outfallStats(groupBy: CATEGORY, filter: $f) { key label count }
        district: outfallStats(groupBy: DISTRICT, filter: $f) { key label count } }`, { f });
      const lab = (rows: Bucket[]) => rows.map((r) => ({ ...r, label: t(r.key) !== r.key ? t(r.key) : r.label }));
      const dn = new Map(refRef.current.districts.map((x) => [x.code, x]));
      setStats({ n: d.n.totalCount, phase: lab(d.phase), category: lab(d.category),
                 district: d.district.map((r: Bucket) => ({ ...r, label: dn.has(r.key) ? nm(dn.get(r.key)!) : r.label }))
                                     .sort((a: Bucket, b: Bucket) => b.count - a.count) });
    }, 250);
  }

  useEffect(() => {
    gql<any>("query($f: OutfallFilter!) { outfalls(filter: $f, first: 0) { totalCount } }", { f: filter })
      .then((d) => { setTotal(d.outfalls.totalCount); layer.current?.setFilter(filter, d.outfalls.totalCount); });
    refreshStats();
  }, [filter]);
  useEffect(() => { layer.current?.setTaskFilter(taskFilter); }, [taskFilter]);
  useEffect(() => { layer.current?.setColour(colour); }, [colour]);

  useEffect(() => {
    if (q.trim().length < 2) { setHits([]); return; }
    const ac = new AbortController();
    const loc = config.tileCrs === "GCJ02" ? "location(crs: GCJ02)" : "location";
    const h = setTimeout(() => gql<any>(`query($s: String!) { outfalls(filter: {search: $s}, first: 10) { edges { node { id code name ${loc} { lat lon } } } } }`,
      { s: q.trim() }, ac.signal).then((d) => setHits(d.outfalls.edges.map((e: any) => e.node))).catch(() => {}), 250);
    return () => { clearTimeout(h); ac.abort(); };
  }, [q]);

  const set = (k: keyof OutfallFilter) => (e: Event) => setFilter({ ...filter, [k]: (e.target as HTMLSelectElement).value || null });
  const qs = new URLSearchParams(Object.entries(filter).filter(([, v]) => v).map(([k, v]) => [k, String(v)])).toString();
  const exp = (ext: string) => download(`/export/outfalls.${ext}${qs ? "?" + qs : ""}`, `outfalls.${ext}`);

  return (
    <div class="mappage">
      <aside class="panel" aria-label={t("filters")}>
        <div class="search">
          <input type="search" placeholder={t("search")} aria-label={t("search")} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          {hits.length > 0 && <ul class="hits" role="listbox">
            {hits.map((h) => <li><a href={`#/outfall/${h.id}`} onMouseEnter={() => mapRef.current?.flyTo({ center: [h.location.lon, h.location.lat], zoom: 13 })}>{h.code} {h.name}</a></li>)}
          </ul>}
        </div>
        <label>{t("district")}<select name="district" value={filter.districtCode ?? ""} onChange={set("districtCode")}>
          <option value="">{t("all")}</option>{ref.districts.map((d) => <option value={d.code}>{nm(d)}</option>)}</select></label>
        <label>{t("river")}<select name="river" value={filter.riverCode ?? ""} onChange={set("riverCode")}>
          <option value="">{t("all")}</option>{ref.rivers.map((d) => <option value={d.code}>{nm(d)}</option>)}</select></label>
        <label>{t("category")}<select name="category" value={filter.category ?? ""} onChange={set("category")}>
          <option value="">{t("all")}</option>{CATEGORIES.map((c) => <option value={c}>{t(c)}</option>)}</select></label>
        <label>{t("phase")}<select name="phase" value={filter.phase ?? ""} onChange={set("phase")}>
          <option value="">{t("all")}</option>{PHASES.map((c) => <option value={c}>{t(c)}</option>)}</select></label>
        <label>{t("task")}<select name="task" value={taskFilter} onChange={(e) => setTaskFilter((e.target as HTMLSelectElement).value as any)}>
          <option value="">{t("all")}</option><option value="open">{t("openTask")}</option><option value="overdue">{t("overdue")}</option></select></label>
        <label>{t("colourBy")}<select name="colour" value={colour} onChange={(e) => setColour((e.target as HTMLSelectElement).value as ColourBy)}>
          <option value="phase">{t("byPhase")}</option><option value="exceedance">{t("byExceedance")}</option><option value="task">{t("byTask")}</option></select></label>
        <Legend by={colour} />
        <p class="count">{t("filtered")}: <b data-testid="filtered-count">{total ?? "…"}</b> {t("outfalls")}</p>
        <p class="muted" data-testid="loaded">{loaded[1] ? t("loading") : t("loaded")} {loaded[0]}</p>
        <div class="exports">
          <button onClick={() => exp("geojson")}>{t("exportGeojson")}</button>
          <button onClick={() => exp("csv")}>{t("exportCsv")}</button>
          <button onClick={() => exp("xlsx")}>{t("exportXlsx")}</button>
        </div>
        {!config.tileUrl && <p class="muted small">{t("noTileServer")}</p>}
      </aside>
      <div class="mapwrap">
        <div ref={el} class="map" role="application" aria-label={t("map")} />
        {stats && <div class="stats" aria-live="polite">
          <p>{t("onScreen")}: <b data-testid="onscreen-count">{stats.n}</b> {t("outfalls")}</p>
          <Bars title={t("phase")} rows={stats.phase} />
          <Bars title={t("category")} rows={stats.category} />
          <Bars title={t("district")} rows={stats.district} />
        </div>}
      </div>
    </div>
  );
}
