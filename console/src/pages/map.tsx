// 一张图: every outfall on a WebGL map, filters, search, on-screen statistics, exports.
import { useEffect, useRef, useState } from "preact/hooks";
import type maplibregl from "maplibre-gl";
import { download, gql } from "../api";
import { nm, t } from "../i18n";
import { useLang } from "../hooks";
import { reference, type Named } from "../reference";
import type { Me } from "../session";
import { createMap } from "../map/base";
import { loadTaskMarks, OutfallLayer, POINTS_ZOOM, type ColourBy, type OutfallFilter } from "../map/outfalls";
import { config } from "../config";
import { drawStations, loadStations, setStationsVisible, type StationMark } from "../map/stations";
import { CLASS_COLOURS } from "./station";
import { TaskForm } from "./taskform";

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
        <div class="bar" data-key={r.key}><span class="k">{r.label}</span><span class="b" style={{ width: `${(80 * r.count) / max}px` }} /><span class="v">{r.count}</span></div>
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
  const [stats, setStats] = useState<{ phase: Bucket[]; category: Bucket[]; district: Bucket[]; n: number; bbox: string } | null>(null);
  const [statsOpen, setStatsOpen] = useState(true);
  const [q, setQ] = useState("");
  const [hits, setHits] = useState<any[]>([]);
  const [stations, setStations] = useState<StationMark[]>([]);
  const [showStations, setShowStations] = useState(true);
  const [picking, setPicking] = useState(false);
  const pickingRef = useRef(false);
  pickingRef.current = picking;
  const [taskFor, setTaskFor] = useState<{ outfall?: any; point?: { lat: number; lon: number } } | null>(null);
  const [created, setCreated] = useState<{ id: string; code: string } | null>(null);
  const canTask = ["SUPERVISOR", "ADMIN", "INSPECTOR"].includes(me.role);

  async function taskForOutfall(id: string) {
    const d = await gql<any>(`query($id: ID!) { outfall(id: $id) { id code name district { code } } }`, { id });
    if (d.outfall) setTaskFor({ outfall: d.outfall });
  }

  useEffect(() => { reference().then((r) => { setRef(r); refreshStats(); }); }, []);

  useEffect(() => {
    const map = createMap(el.current!);
    mapRef.current = map;
    (window as any).__owMap = map;
    map.on("load", () => {
      performance.mark("ow:map-load");
      const l = new OutfallLayer(map, {}, filterRef.current);
      layer.current = l;
      (window as any).__owLayer = l;
      l.onChange = (n, busy, all) => { setLoaded([n, busy]); setTotal(busy ? null : all); };
      // Task marks and statistics wait for the first points: on a busy server the first draw comes first.
      map.once("idle", () => setTimeout(() => loadTaskMarks().then((m) => l.setTasks(m)).catch(() => {}), 1500));
      // Stations after the outfalls' first draw: the one-map's first read goes first on a busy server.
      const stationsWhenDrawn = () => {
        if (!(window as any).__owFirstDraw && !(l.idle() && l.count() === 0)) { setTimeout(stationsWhenDrawn, 200); return; }
        loadStations().then((st) => {
          setStations(st);
          drawStations(map, st);
          (window as any).__owStations = st.length;
        }).catch(() => {});
      };
      stationsWhenDrawn();
      // One click handler: stations above outfalls above clusters, a few pixels of tolerance; in
      // "new task" mode a click picks an outfall, or a point (then the nearest outfall's district).
      map.on("click", (e) => {
        const layers = ["stations", "outfalls", "outfall-clusters"].filter((id) => map.getLayer(id));
        const { x, y } = e.point;
        const f = map.queryRenderedFeatures([[x - 4, y - 4], [x + 4, y + 4]], { layers })[0];
        const lid = f?.layer.id;
        if (lid === "outfall-clusters") {
          // A cell of the server's grid: two levels closer, at most to where points are drawn.
          map.easeTo({ center: (f!.geometry as GeoJSON.Point).coordinates as [number, number],
                       zoom: Math.min(Math.round(map.getZoom()) + 2, POINTS_ZOOM) });
          return;
        }
        if (pickingRef.current) {
          setPicking(false);
          if (lid === "outfalls") taskForOutfall(String(f!.properties!.id));
          else if (config.tileCrs === "WGS84") setTaskFor({ point: { lat: e.lngLat.lat, lon: e.lngLat.lng } });
          return;
        }
        if (lid === "stations") location.hash = `#/station/${f!.properties!.id}`;
        else if (lid === "outfalls") location.hash = `#/outfall/${f!.properties!.id}`;
      });
      for (const id of ["outfalls", "outfall-clusters", "stations"]) {
        map.on("mouseenter", id, () => (map.getCanvas().style.cursor = "pointer"));
        map.on("mouseleave", id, () => (map.getCanvas().style.cursor = pickingRef.current ? "crosshair" : ""));
      }
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
      // The first draw comes first: on one busy machine the statistics would compete with it.
      if (!(window as any).__owFirstDraw && (!layer.current || layer.current.count() > 0 || !layer.current.idle())) { refreshStats(); return; }
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
      setStats({ n: d.n.totalCount, bbox: Object.values(f.bbox).join(","), phase: lab(d.phase), category: lab(d.category),
                 district: d.district.map((r: Bucket) => ({ ...r, label: dn.has(r.key) ? nm(dn.get(r.key)!) : r.label }))
                                     .sort((a: Bucket, b: Bucket) => b.count - a.count) });
    }, 250);
  }

  useEffect(() => {
    layer.current?.setFilter(filter);  // the layer's first read (on map load) is of the initial filter
    refreshStats();
  }, [filter]);
  useEffect(() => { layer.current?.setTaskFilter(taskFilter); }, [taskFilter]);
  useEffect(() => { layer.current?.setColour(colour); }, [colour]);
  useEffect(() => { if (mapRef.current) setStationsVisible(mapRef.current, showStations); }, [showStations]);
  useEffect(() => {
    const canvas = mapRef.current?.getCanvas();
    if (canvas) canvas.style.cursor = picking ? "crosshair" : "";
    if (!picking) return;
    const esc = (e: KeyboardEvent) => { if (e.key === "Escape") setPicking(false); };
    window.addEventListener("keydown", esc);
    return () => window.removeEventListener("keydown", esc);
  }, [picking]);

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
        <fieldset class="stationbox">
          <legend>{t("stations")}</legend>
          <label class="check"><input type="checkbox" name="stations" checked={showStations}
            onChange={(e) => setShowStations((e.target as HTMLInputElement).checked)} />{t("showStations")}</label>
          <p class="muted small">{t("stationLegend")}</p>
          <ul class="legend inline">{Object.entries(CLASS_COLOURS).map(([c, col]) => <li><i style={{ background: col }} />{c}</li>)}</ul>
          <details data-testid="station-list">
            <summary>{stations.length} {t("stations")} · {stations.filter((x) => x.offTarget).length} {t("offTarget")}</summary>
            <ul class="stationlist">{[...stations].sort((a, b) => Number(b.offTarget) - Number(a.offTarget) || a.code.localeCompare(b.code)).map((x) => (
              <li><a href={`#/station/${x.id}`}>{x.name}</a> <span class="muted">{x.waterClass ?? t("noData")}</span>
                {x.offTarget && <span class="badge bad">{t("offTarget")}</span>}</li>))}</ul>
          </details>
        </fieldset>
        {canTask && <button class={picking ? "primary" : ""} data-testid="pick-task" aria-pressed={picking}
                            onClick={() => setPicking(!picking)}>{t("pickOnMap")}</button>}
        {picking && <p class="notice small" role="status">{t("pickHint")}</p>}
        {created && <p class="notice small" role="status" data-testid="task-created">{t("created")}: <a href={`#/task/${created.id}`}>{created.code}</a></p>}
        <div class="exports">
          <button onClick={() => exp("geojson")}>{t("exportGeojson")}</button>
          <button onClick={() => exp("csv")}>{t("exportCsv")}</button>
          <button onClick={() => exp("xlsx")}>{t("exportXlsx")}</button>
        </div>
        {!config.tileUrl && <p class="muted small">{t("noTileServer")}</p>}
      </aside>
      {taskFor && <TaskForm outfall={taskFor.outfall} point={taskFor.point}
                            onClose={(done, task) => { setTaskFor(null); if (done && task) setCreated(task); }} />}
      <div class="mapwrap">
        <div ref={el} class="map" role="application" aria-label={t("map")} />
        {stats && <div class="stats" aria-live="polite" data-bbox={stats.bbox}>
          <p>{t("onScreen")}: <b data-testid="onscreen-count">{stats.n}</b> {t("outfalls")}
            {/* On a 1366×768 screen the bars cover the south of the city: they fold away. */}
            <button class="link" aria-expanded={statsOpen} data-testid="stats-toggle"
                    onClick={() => setStatsOpen(!statsOpen)}>{statsOpen ? t("hideStats") : t("showStats")}</button></p>
          {statsOpen && <>
            <Bars title={t("phase")} rows={stats.phase} />
            <Bars title={t("category")} rows={stats.category} />
            <Bars title={t("district")} rows={stats.district} />
          </>}
        </div>}
      </div>
    </div>
  );
}
