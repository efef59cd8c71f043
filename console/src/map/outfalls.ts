// Loads the register onto the map by bbox: the view is cut into fixed grid cells, each cell is read
// page by page through `outfalls(filter: {bbox})`, cells nearest the centre first, a few at a time.
// Cells are cached per filter, so panning back costs nothing; the GeoJSON source is refreshed at most
// every 300 ms while pages arrive, and MapLibre draws every point with WebGL.
import type maplibregl from "maplibre-gl";
import { gql } from "../api";
import { config } from "../config";

export type ColourBy = "phase" | "exceedance" | "task";
export interface OutfallFilter {
  riverCode?: string | null; districtCode?: string | null; category?: string | null; phase?: string | null;
  search?: string | null;
}
// Only what drawing and colouring need: every field costs server time on each of 500 rows per page.
export interface Point { id: string; code: string; phase: string; district: string; lon: number; lat: number; exc: number }

// Cells are 1° when the whole city is in view and 0.25° closer in; a fine cell inside a loaded coarse
// one is never asked for. Nothing outside the city's extent is asked for at all.
const COARSE = 1, FINE = 0.25;
const CITY = { west: 105.0, south: 28.0, east: 110.5, north: 32.5 }; // Chongqing, with a margin
const PAGE = 500;
const CONCURRENCY = 4;
const ALL_AT_ONCE = 5000; // a filter this narrow is loaded whole (no bbox) and the map fits it

function query(withExceedance: boolean) {
  const loc = config.tileCrs === "GCJ02" ? "location(crs: GCJ02)" : "location";
  const exc = withExceedance ? "latestInspection { measurements { exceeded } }" : "";
  return `query Map($f: OutfallFilter!, $after: String) { outfalls(filter: $f, first: ${PAGE}, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id code phase district { code } ${loc} { lat lon } ${exc} } } } }`;
}

function toPoint(n: any): Point {
  const ms = n.latestInspection?.measurements;
  return { id: n.id, code: n.code, phase: n.phase, district: n.district.code,
           lon: n.location.lon, lat: n.location.lat, exc: ms ? (ms.some((z: any) => z.exceeded) ? 1 : 0) : -1 };
}

export class OutfallLayer {
  private cells = new Map<string, Point[]>();
  private done = new Set<string>(); // cells read to their last page
  private pending = new Set<string>();
  private queue: string[] = [];
  private running = 0;
  private gen = 0;
  private flushTimer: number | null = null;
  filter: OutfallFilter = {};
  colourBy: ColourBy = "phase";
  tasks = new Map<string, "open" | "overdue">();
  taskFilter: "" | "open" | "overdue" = "";
  onChange: (loaded: number, busy: boolean) => void = () => {};
  firstDraw: number | null = null;

  constructor(private map: maplibregl.Map, opts: { radius?: number } = {}) {
    map.addSource("outfalls", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({
      id: "outfalls", type: "circle", source: "outfalls",
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 5, (opts.radius ?? 1.6), 10, 3.5, 14, 7],
        "circle-color": this.colourExpr(),
        "circle-stroke-width": ["interpolate", ["linear"], ["zoom"], 8, 0, 12, 1],
        "circle-stroke-color": "#ffffff",
      },
    });
    map.on("moveend", () => this.loadView());
    map.once("idle", () => this.loadView());
  }

  colourExpr(): any {
    if (this.colourBy === "exceedance")
      return ["match", ["get", "exc"], 1, "#d7191c", 0, "#1a9641", "#9aa3ad"];
    if (this.colourBy === "task")
      return ["match", ["get", "task"], "overdue", "#d7191c", "open", "#f39c12", "#6c8ebf"];
    return ["match", ["get", "phase"], "SURVEYED", "#7b8794", "MONITORED", "#2c7fb8", "TRACED", "#e6a100", "REMEDIATED", "#2ca25f", "#555"];
  }

  setColour(c: ColourBy) {
    const needReload = (c === "exceedance") !== (this.colourBy === "exceedance");
    this.colourBy = c;
    this.map.setPaintProperty("outfalls", "circle-color", this.colourExpr());
    if (needReload && c === "exceedance") this.reset();
  }

  private whole = false;

  /** `total` is the filter's count: a narrow filter is loaded whole and the view fits its points. */
  setFilter(f: OutfallFilter, total: number) {
    this.filter = f;
    this.whole = Object.values(f).some((v) => v) && total <= ALL_AT_ONCE;
    this.reset();
  }

  setTaskFilter(v: "" | "open" | "overdue") {
    this.taskFilter = v;
    this.flush(true);
  }

  setTasks(m: Map<string, "open" | "overdue">) {
    this.tasks = m;
    this.flush(true);
  }

  private reset() {
    this.gen++;
    this.cells.clear();
    this.done.clear();
    this.pending.clear();
    this.queue = [];
    this.flush(true);
    this.loadView();
  }

  points(): Point[] {
    const out: Point[] = [];
    const seen = new Set<string>(); // a fine cell read before its coarse parent holds the same points
    for (const c of this.cells.values()) for (const p of c) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      const task = this.tasks.get(p.id);
      if (this.taskFilter === "open" && !task) continue;
      if (this.taskFilter === "overdue" && task !== "overdue") continue;
      out.push(p);
    }
    return out;
  }

  loadView() {
    if (this.whole) {
      if (!this.cells.has("all") && !this.pending.has("all")) { this.pending.add("all"); this.queue.push("all"); }
      this.pump();
      return;
    }
    const b = this.map.getBounds();
    const c = this.map.getCenter();
    const size = this.map.getZoom() < 8 ? COARSE : FINE;
    const west = Math.max(b.getWest(), CITY.west), east = Math.min(b.getEast(), CITY.east);
    const south = Math.max(b.getSouth(), CITY.south), north = Math.min(b.getNorth(), CITY.north);
    const keys: [number, string][] = [];
    for (let x = Math.floor(west / size); x * size < east; x++)
      for (let y = Math.floor(south / size); y * size < north; y++) {
        const k = `${size}:${x}:${y}`;
        if (this.cells.has(k) || this.pending.has(k)) continue;
        const parent = `${COARSE}:${Math.floor((x * size) / COARSE)}:${Math.floor((y * size) / COARSE)}`;
        if (size === FINE && this.done.has(parent)) continue;
        keys.push([Math.hypot((x + 0.5) * size - c.lng, (y + 0.5) * size - c.lat), k]);
      }
    keys.sort((a, b) => a[0] - b[0]);
    for (const [, k] of keys) { this.pending.add(k); this.queue.push(k); }
    this.pump();
  }

  private pump() {
    while (this.running < CONCURRENCY && this.queue.length) {
      const k = this.queue.shift()!;
      this.running++;
      const gen = this.gen;
      // A failed cell is forgotten, so the next loadView (a move, or a reconnect) asks for it again.
      this.loadCell(k, gen).catch(() => {}).finally(() => {
        if (gen === this.gen) this.running--;
        else this.running = Math.max(0, this.running - 1);
        this.pump();
        this.onChange(this.count(), this.running > 0);
      });
    }
    this.onChange(this.count(), this.running > 0);
  }

  /** Nothing queued or loading (tests and the benchmark wait for this). */
  idle() { return this.running === 0 && this.queue.length === 0 && this.pending.size === 0; }

  count() { return this.points().length; }

  private async loadCell(k: string, gen: number) {
    if (k === "all") return this.loadWhole(gen);
    const [CELL, x, y] = k.split(":").map(Number);
    // Cells are cut in the map's coordinates; the server's bbox is WGS-84, and GCJ-02 is a few hundred
    // metres off, so a GCJ-02 map asks with a margin and keeps only the points of its own cell.
    const m = config.tileCrs === "GCJ02" ? 0.02 : 0;
    const f = { ...this.filter, bbox: { south: y * CELL - m, west: x * CELL - m, north: (y + 1) * CELL + m, east: (x + 1) * CELL + m } };
    const q = query(this.colourBy === "exceedance");
    const pts: Point[] = [];
    let after: string | null = null;
    try {
      do {
        const d: any = await gql(q, { f, after });
        if (gen !== this.gen) return;
        for (const { node: n } of d.outfalls.edges) {
          const p = toPoint(n);
          if (m && (Math.floor(p.lon / CELL) !== x || Math.floor(p.lat / CELL) !== y)) continue;
          pts.push(p);
        }
        this.cells.set(k, pts);
        this.flush(false);
        after = d.outfalls.pageInfo.hasNextPage ? d.outfalls.pageInfo.endCursor : null;
      } while (after);
      this.done.add(k);
    } catch (e) {
      if (gen === this.gen) { this.pending.delete(k); this.cells.delete(k); }
      throw e;
    } finally {
      if (gen === this.gen) this.pending.delete(k);
    }
  }

  private async loadWhole(gen: number) {
    const q = query(this.colourBy === "exceedance");
    const pts: Point[] = [];
    let after: string | null = null;
    try {
      do {
        const d: any = await gql(q, { f: this.filter, after });
        if (gen !== this.gen) return;
        for (const { node: n } of d.outfalls.edges) pts.push(toPoint(n));
        this.cells.set("all", pts);
        this.flush(false);
        after = d.outfalls.pageInfo.hasNextPage ? d.outfalls.pageInfo.endCursor : null;
      } while (after);
      if (pts.length) {
        const lons = pts.map((p) => p.lon), lats = pts.map((p) => p.lat);
        this.map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]],
                           { padding: 60, maxZoom: 14, duration: 600 });
      }
    } finally {
      if (gen === this.gen) this.pending.delete("all");
    }
  }

  private flush(now: boolean) {
    if (now) {
      if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = null; }
      this.draw();
      return;
    }
    this.flushTimer ??= window.setTimeout(() => { this.flushTimer = null; this.draw(); }, 300);
  }

  private draw() {
    const features: GeoJSON.Feature[] = this.points().map((p) => ({
      type: "Feature", id: Number(p.id), geometry: { type: "Point", coordinates: [p.lon, p.lat] },
      properties: { id: p.id, code: p.code, phase: p.phase, exc: p.exc, task: this.tasks.get(p.id) ?? "none" },
    }));
    (this.map.getSource("outfalls") as maplibregl.GeoJSONSource)?.setData({ type: "FeatureCollection", features });
    if (features.length && this.firstDraw === null) {
      this.map.once("idle", () => {
        if (this.firstDraw === null) {
          this.firstDraw = performance.now();
          (window as any).__owFirstDraw = this.firstDraw;
        }
      });
    }
    (window as any).__owDrawn = features.length;
  }
}

/** Open and overdue tasks by outfall id, for colouring and the task filters. */
export async function loadTaskMarks(): Promise<Map<string, "open" | "overdue">> {
  const m = new Map<string, "open" | "overdue">();
  let after: string | null = null;
  do {
    const d: any = await gql(`query($after: String) { tasks(filter: {status: [OPEN, IN_PROGRESS, SUBMITTED, REJECTED]}, first: 500, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { isOverdue outfall { id } } } } }`, { after });
    for (const { node } of d.tasks.edges) if (node.outfall) {
      if (node.isOverdue) m.set(node.outfall.id, "overdue");
      else if (!m.has(node.outfall.id)) m.set(node.outfall.id, "open");
    }
    after = d.tasks.pageInfo.hasNextPage ? d.tasks.pageInfo.endCursor : null;
  } while (after);
  return m;
}
