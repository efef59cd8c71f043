// Draws the register of the current filter on a MapLibre (WebGL) map, in one of three ways:
// - a filter of at most ALL_AT_ONCE outfalls: every point, one `outfallPoints` read, the view fits them;
// - a larger one at the city overview (below POINTS_ZOOM): the server's `outfallClusters` for the
//   view's zoom, a few hundred cells counted by the database (60,000 points never reach the browser,
//   so nothing is clustered or tessellated here and a pan moves a few hundred circles);
// - a larger one zoomed in: the points of the view's bounding box (padded and snapped to a grid, so
//   a pan inside it asks nothing and the server's response cache serves neighbouring views).
// Cells and points are coloured the same three ways; a cell takes its dominant phase, or red when
// any outfall in it exceeded / has an overdue task.
import type maplibregl from "maplibre-gl";
import { gql } from "../api";
import { config } from "../config";

export type ColourBy = "phase" | "exceedance" | "task";
export interface OutfallFilter {
  riverCode?: string | null; districtCode?: string | null; category?: string | null; phase?: string | null;
  search?: string | null;
}
export interface Point { id: string; phase: string; district: string; lon: number; lat: number; exc: number }
/** An outfall with an open task: where it is (WGS-84 for the grid, `at` in the map's datum) and what the
 * filters look at, so cells can be coloured and the task filter applied without every point. */
export interface TaskMark {
  state: "open" | "overdue"; lat: number; lon: number; at: [number, number];
  phase: string; district: string; river: string; category: string; code: string; name: string;
}
type Mode = "all" | "clusters" | "bbox" | "marks";

const ALL_AT_ONCE = 5000; // a filter with at most this many outfalls is drawn point by point
export const POINTS_ZOOM = 11; // at and above this zoom a large filter is drawn as the view's points
const BBOX_GRID = 0.125; // degrees: bounding boxes are snapped outward to this grid
export const PHASE_COLOURS: Record<string, string> = {
  SURVEYED: "#7b8794", MONITORED: "#2c7fb8", TRACED: "#e6a100", REMEDIATED: "#2ca25f",
};
const RED = "#d7191c", GREEN = "#1a9641", GREY = "#9aa3ad", ORANGE = "#f39c12", BLUE = "#6c8ebf";
const CRS = () => (config.tileCrs === "GCJ02" ? ", crs: GCJ02" : "");

// Only the columns drawing and the district check need, dictionary-encoded.
function pointsQuery(withExceedance: boolean) {
  return `query MapPoints($f: OutfallFilter) { outfallPoints(filter: $f${CRS()}) {
    count ids lats lons phaseKeys phaseIndex districtKeys districtIndex ${withExceedance ? "exceeded" : ""} } }`;
}
function clustersQuery(withExceedance: boolean) {
  return `query MapCells($f: OutfallFilter, $z: Int!) { outfallClusters(filter: $f, zoom: $z${CRS()}) {
    count cells cellDegrees cellX cellY lats lons counts phaseKeys phaseCounts ${withExceedance ? "exceeded notExceeded" : ""} } }`;
}

let prefetched: { key: string; data: Promise<any> } | null = null;

/** The zoom of the grid a view at `zoom` is drawn with: the nearest whole level, so cells are 32-64 px. */
const gridZoom = (zoom: number) => Math.max(0, Math.min(POINTS_ZOOM - 1, Math.round(zoom)));

/** Starts the overview's read before the map exists (the console calls this at start-up on #/map), so
 * the request and the map's set-up overlap; the layer takes the answer if it asks for the same. */
export function prefetchOverview(filter: OutfallFilter = {}) {
  const z = gridZoom(config.zoom);
  const key = JSON.stringify([filter, z, false]);
  const data = gql(clustersQuery(false), { f: filter, z });
  data.catch(() => { if (prefetched?.key === key) prefetched = null; });
  prefetched = { key, data };
}

function cellsOf(filter: OutfallFilter, z: number, withExc: boolean): Promise<any> {
  const key = JSON.stringify([filter, z, withExc]);
  if (prefetched?.key === key) {
    const p = prefetched.data;
    prefetched = null; // used once: later reads must see later data
    return p;
  }
  return gql(clustersQuery(withExc), { f: filter, z });
}

/** Whether a task's outfall is in the filter (the same fields the server's filter compares). */
function markMatches(m: TaskMark, f: OutfallFilter): boolean {
  if (f.districtCode && m.district !== f.districtCode) return false;
  if (f.riverCode && m.river !== f.riverCode) return false;
  if (f.category && m.category !== f.category) return false;
  if (f.phase && m.phase !== f.phase) return false;
  const s = f.search?.trim().toLowerCase();
  return !s || m.code.toLowerCase().includes(s) || m.name.toLowerCase().includes(s);
}

interface Cells { step: number; x: number[]; y: number[]; lats: number[]; lons: number[]; counts: number[];
                  phaseKeys: string[]; phaseCounts: number[]; exceeded?: number[]; notExceeded?: number[] }

export class OutfallLayer {
  private all: Point[] = []; // points of the filter ("all") or of the loaded box ("bbox")
  private cells: Cells | null = null;
  private cellsZoom = -1;
  private box: [number, number, number, number] | null = null; // south, west, north, east of `all` in bbox mode
  private gen = 0;
  private loading = false;
  private loaded = false;
  private withExc = false; // what was read carries the exceedance columns
  private mode: Mode = "clusters";
  private total: number | null = null; // outfalls of the filter
  filter: OutfallFilter = {};
  colourBy: ColourBy = "phase";
  tasks = new Map<string, TaskMark>();
  taskFilter: "" | "open" | "overdue" = "";
  onChange: (drawn: number, busy: boolean, total: number | null) => void = () => {};
  firstDraw: number | null = null;

  constructor(private map: maplibregl.Map, private opts: { radius?: number } = {}, filter: OutfallFilter = {}) {
    this.filter = filter;
    this.build();
    // A new grid when the nearest whole zoom level changes, a new box when the view leaves the loaded one.
    map.on("moveend", () => this.onView());
    this.load();
  }

  private build() {
    const m = this.map;
    for (const id of ["outfall-clusters", "outfalls"]) if (m.getLayer(id)) m.removeLayer(id);
    for (const id of ["outfall-cells", "outfalls"]) if (m.getSource(id)) m.removeSource(id);
    const empty: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };
    m.addSource("outfall-cells", { type: "geojson", data: empty });
    m.addSource("outfalls", { type: "geojson", data: empty });
    m.addLayer({
      id: "outfall-clusters", type: "circle", source: "outfall-cells",
      paint: {
        "circle-radius": ["step", ["get", "n"], 3.5, 5, 5, 50, 8, 500, 12, 2000, 16],
        "circle-color": ["get", "colour"],
        "circle-opacity": 0.85,
        "circle-stroke-width": 1.5,
        "circle-stroke-color": "#ffffff",
      },
    });
    m.addLayer({
      id: "outfalls", type: "circle", source: "outfalls",
      paint: {
        "circle-radius": this.radiusExpr(),
        "circle-color": this.colourExpr(),
        "circle-stroke-width": ["interpolate", ["linear"], ["zoom"], 8, 0, 12, 1],
        "circle-stroke-color": "#ffffff",
      },
    });
    if (m.getLayer("stations")) m.moveLayer("stations");
  }

  /** Coloured by task, an outfall with a task is drawn larger: on the wall screen it is what matters. */
  private radiusExpr(): any {
    const r = this.opts.radius ?? 1.6;
    const big = (v: number) => (this.colourBy === "task" ? ["case", ["==", ["get", "task"], "none"], v, v * 2.2] : v);
    return ["interpolate", ["linear"], ["zoom"], 5, big(r), 10, big(3.5), 14, big(7)];
  }

  colourExpr(): any {
    if (this.colourBy === "exceedance") return ["match", ["get", "exc"], 1, RED, 0, GREEN, GREY];
    if (this.colourBy === "task") return ["match", ["get", "task"], "overdue", RED, "open", ORANGE, BLUE];
    return ["match", ["get", "phase"], ...Object.entries(PHASE_COLOURS).flat(), "#555"];
  }

  setColour(c: ColourBy) {
    if (c === this.colourBy) return;
    const reload = c === "exceedance" && !this.withExc;
    this.colourBy = c;
    if (this.map.getLayer("outfalls")) {
      this.map.setPaintProperty("outfalls", "circle-color", this.colourExpr());
      this.map.setPaintProperty("outfalls", "circle-radius", this.radiusExpr());
    }
    if (reload) this.load();
    else this.draw();
  }

  setFilter(f: OutfallFilter) {
    if (JSON.stringify(f) === JSON.stringify(this.filter)) return;
    this.filter = f;
    this.total = null; // the new filter's size comes with its first answer
    this.load();
  }

  setTaskFilter(v: "" | "open" | "overdue") {
    if (v === this.taskFilter) return;
    this.taskFilter = v;
    if (this.mode === "all") this.draw();
    else this.load(); // a large filter: the task's outfalls are the marks, else cells or the box again
  }

  setTasks(m: Map<string, TaskMark>) {
    this.tasks = m;
    if (this.colourBy === "task" || this.taskFilter) this.draw();
    if (this.taskFilter && !this.loading) this.onChange(this.count(), false, this.shownTotal());
  }

  private taskOk(state: "open" | "overdue" | undefined) {
    return this.taskFilter === "open" ? !!state : state === "overdue";
  }

  /** The points drawn (in cluster mode none: the map shows cells). */
  points(): Point[] {
    if (this.mode === "clusters") return [];
    if (this.mode === "marks") {
      return [...this.tasks].filter(([, m]) => this.taskOk(m.state) && markMatches(m, this.filter))
        .map(([id, m]) => ({ id, phase: m.phase, district: m.district, lon: m.at[0], lat: m.at[1], exc: -2 }));
    }
    if (!this.taskFilter) return this.all;
    return this.all.filter((p) => this.taskOk(this.tasks.get(p.id)?.state));
  }

  /** Reads again only if the last read failed (the screen calls this after a reconnect). */
  ensureLoaded() {
    if (!this.loaded && !this.loading) this.load();
  }

  /** Nothing loading (tests and the benchmark wait for this). */
  idle() { return !this.loading; }

  /** Outfalls on the map: points drawn, or the outfalls the cells hold. */
  count() {
    if (this.mode === "clusters") return this.cells ? this.cells.counts.reduce((a, b) => a + b, 0) : 0;
    return this.points().length;
  }

  /** How the register is drawn now ("all", "clusters", "bbox" or "marks"). */
  drawnAs(): Mode { return this.mode; }

  private wantMode(): Mode {
    if (this.total !== null && this.total <= ALL_AT_ONCE) return "all";
    if (this.taskFilter) return "marks";
    return this.map.getZoom() >= POINTS_ZOOM ? "bbox" : "clusters";
  }

  private onView() {
    if (this.loading || this.total === null) return;
    const want = this.wantMode();
    if (want === "clusters" && (this.mode !== "clusters" || gridZoom(this.map.getZoom()) !== this.cellsZoom)) this.load();
    else if (want === "bbox" && (this.mode !== "bbox" || !this.viewInBox())) this.load();
  }

  private viewInBox() {
    const b = this.map.getBounds();
    const [s, w, n, e] = this.box ?? [0, 0, 0, 0];
    return b.getSouth() >= s && b.getWest() >= w && b.getNorth() <= n && b.getEast() <= e;
  }

  /** The view padded by a quarter of its size each way, snapped outward to BBOX_GRID; WGS-84 for the
   * filter (a GCJ-02 map's bounds are off by ~500 m, inside the padding). */
  private viewBox(): [number, number, number, number] {
    const b = this.map.getBounds();
    const dy = (b.getNorth() - b.getSouth()) / 4, dx = (b.getEast() - b.getWest()) / 4;
    const down = (v: number) => Math.floor(v / BBOX_GRID) * BBOX_GRID, up = (v: number) => Math.ceil(v / BBOX_GRID) * BBOX_GRID;
    return [Math.max(-90, down(b.getSouth() - dy)), Math.max(-180, down(b.getWest() - dx)),
            Math.min(90, up(b.getNorth() + dy)), Math.min(180, up(b.getEast() + dx))];
  }

  /** Reads what the filter and the view need; a newer read wins over an older one still running. */
  async load() {
    const gen = ++this.gen;
    this.loading = true;
    this.loaded = false;
    this.onChange(this.count(), true, null);
    try {
      const withExc = this.colourBy === "exceedance";
      performance.mark("ow:points-asked");
      if (this.total === null || this.wantMode() === "clusters") {
        // The cells answer the filter's size too; the overview draws them as they are.
        const z = gridZoom(this.map.getZoom());
        const d: any = await cellsOf(this.filter, z, withExc);
        if (gen !== this.gen) return;
        const c = d.outfallClusters;
        this.total = c.count;
        this.cells = { step: c.cellDegrees, x: c.cellX, y: c.cellY, lats: c.lats, lons: c.lons, counts: c.counts,
                       phaseKeys: c.phaseKeys, phaseCounts: c.phaseCounts, exceeded: c.exceeded, notExceeded: c.notExceeded };
        this.cellsZoom = z;
      }
      const mode = this.wantMode();
      if (mode === "all" || mode === "bbox") {
        const box = mode === "bbox" ? this.viewBox() : null;
        const f = box ? { ...this.filter, bbox: { south: box[0], west: box[1], north: box[2], east: box[3] } } : this.filter;
        const d: any = await gql(pointsQuery(withExc), { f });
        if (gen !== this.gen) return;
        const c = d.outfallPoints;
        const all: Point[] = new Array(c.count);
        for (let i = 0; i < c.count; i++)
          all[i] = { id: String(c.ids[i]), phase: c.phaseKeys[c.phaseIndex[i]], district: c.districtKeys[c.districtIndex[i]],
                     lon: c.lons[i], lat: c.lats[i], exc: withExc ? c.exceeded[i] : -2 };
        this.all = all;
        this.box = box;
        if (mode === "all") this.total = all.length;
      }
      performance.mark("ow:points-received");
      this.withExc = withExc;
      this.mode = mode;
      this.loaded = true;
      this.draw();
      if (mode === "all" && Object.values(this.filter).some((v) => v) && this.all.length) {
        let w = 180, s = 90, e = -180, n = -90;
        for (const p of this.all) { w = Math.min(w, p.lon); e = Math.max(e, p.lon); s = Math.min(s, p.lat); n = Math.max(n, p.lat); }
        this.map.fitBounds([[w, s], [e, n]], { padding: 60, maxZoom: 14, duration: 600 });
      }
    } catch {
      // A failed read leaves what was drawn; the next filter change, view change or reconnect asks again.
    } finally {
      if (gen === this.gen) {
        this.loading = false;
        this.onChange(this.count(), false, this.loaded ? this.shownTotal() : null);
        if (this.loaded) this.onView(); // the view may have moved on while this read ran
      }
    }
  }

  /** The filter's outfalls, narrowed by the task filter when one is set. */
  private shownTotal(): number | null {
    if (!this.taskFilter || this.mode === "all") return this.mode === "all" ? this.points().length : this.total;
    return [...this.tasks.values()].filter((m) => this.taskOk(m.state) && markMatches(m, this.filter)).length;
  }

  private cellColours(): string[] {
    const c = this.cells!;
    if (this.colourBy === "exceedance" && c.exceeded && c.notExceeded)
      return c.counts.map((_, i) => (c.exceeded![i] > 0 ? RED : c.notExceeded![i] > 0 ? GREEN : GREY));
    if (this.colourBy === "task") {
      // Tasks are few and change by the minute: each task's outfall is put in its cell here.
      const worst = new Map<string, "open" | "overdue">();
      for (const m of this.tasks.values()) {
        if (!markMatches(m, this.filter)) continue;
        const k = `${Math.floor((m.lon + 180) / c.step)},${Math.floor((m.lat + 90) / c.step)}`;
        if (worst.get(k) !== "overdue") worst.set(k, m.state);
      }
      return c.counts.map((_, i) => {
        const s = worst.get(`${c.x[i]},${c.y[i]}`);
        return s === "overdue" ? RED : s === "open" ? ORANGE : BLUE;
      });
    }
    const k = c.phaseKeys.length;
    return c.counts.map((_, i) => {
      let best = 0;
      for (let j = 1; j < k; j++) if (c.phaseCounts[i * k + j] > c.phaseCounts[i * k + best]) best = j;
      return PHASE_COLOURS[c.phaseKeys[best]] ?? "#555";
    });
  }

  private draw() {
    const empty: GeoJSON.Feature[] = [];
    let cells = empty, points = empty;
    if (this.mode === "clusters" && this.cells) {
      const c = this.cells, colours = this.cellColours();
      cells = c.counts.map((n, i) => ({ type: "Feature", geometry: { type: "Point", coordinates: [c.lons[i], c.lats[i]] },
                                        properties: { n, colour: colours[i], x: c.x[i], y: c.y[i] } }));
    } else {
      points = this.points().map((p) => ({
        type: "Feature", id: Number(p.id), geometry: { type: "Point", coordinates: [p.lon, p.lat] },
        properties: { id: p.id, phase: p.phase, exc: p.exc, task: this.tasks.get(p.id)?.state ?? "none" },
      }));
    }
    performance.mark("ow:set-data");
    (this.map.getSource("outfall-cells") as maplibregl.GeoJSONSource)?.setData({ type: "FeatureCollection", features: cells });
    (this.map.getSource("outfalls") as maplibregl.GeoJSONSource)?.setData({ type: "FeatureCollection", features: points });
    if ((cells.length || points.length) && this.firstDraw === null) {
      this.map.once("idle", () => {
        if (this.firstDraw === null) {
          this.firstDraw = performance.now();
          (window as any).__owFirstDraw = this.firstDraw;
        }
      });
    }
    (window as any).__owDrawn = this.count();
  }
}

/** Open and overdue tasks by outfall id, with where each outfall is and what the filters compare. */
export async function loadTaskMarks(): Promise<Map<string, TaskMark>> {
  const m = new Map<string, TaskMark>();
  const gcj = config.tileCrs === "GCJ02" ? "gcj: location(crs: GCJ02) { lat lon }" : "";
  let after: string | null = null;
  do {
    const d: any = await gql(`query($after: String) { tasks(filter: {status: [OPEN, IN_PROGRESS, SUBMITTED, REJECTED]}, first: 500, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { isOverdue outfall { id code name phase category
        district { code } river { code } location { lat lon } ${gcj} } } } } }`, { after });
    for (const { node } of d.tasks.edges) {
      const o = node.outfall;
      if (!o) continue;
      const state = node.isOverdue ? "overdue" : "open";
      if (m.get(o.id)?.state === "overdue") continue;
      const at = o.gcj ?? o.location;
      m.set(o.id, { state, lat: o.location.lat, lon: o.location.lon, at: [at.lon, at.lat], phase: o.phase,
                    district: o.district.code, river: o.river.code, category: o.category, code: o.code, name: o.name });
    }
    after = d.tasks.pageInfo.hasNextPage ? d.tasks.pageInfo.endCursor : null;
  } while (after);
  return m;
}
