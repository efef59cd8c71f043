// Draws the register of the current filter: one `outfallPoints` read (the public API's columnar
// overview query, cached by the server per data version) instead of pages of 500, into one MapLibre
// GeoJSON source drawn with WebGL. A large set (the whole city) is clustered below zoom 11 so a pan
// draws hundreds of clusters rather than tens of thousands of circles; clusters take the colour of
// what they hold (the dominant phase, or any exceedance / overdue task).
import type maplibregl from "maplibre-gl";
import { gql } from "../api";
import { config } from "../config";

export type ColourBy = "phase" | "exceedance" | "task";
export interface OutfallFilter {
  riverCode?: string | null; districtCode?: string | null; category?: string | null; phase?: string | null;
  search?: string | null;
}
export interface Point { id: string; phase: string; district: string; lon: number; lat: number; exc: number }

const ALL_AT_ONCE = 5000; // a narrower filter than this makes the map fit its points
const CLUSTER_OVER = 5000; // more points than this are clustered below CLUSTER_MAX_ZOOM + 1
const CLUSTER_MAX_ZOOM = 10;
export const PHASE_COLOURS: Record<string, string> = {
  SURVEYED: "#7b8794", MONITORED: "#2c7fb8", TRACED: "#e6a100", REMEDIATED: "#2ca25f",
};
const RED = "#d7191c", GREEN = "#1a9641", GREY = "#9aa3ad", ORANGE = "#f39c12", BLUE = "#6c8ebf";

// Only the columns drawing and the district check need, dictionary-encoded: 60,000 outfalls in under
// 2 MB, so the server's response cache keeps the answer (it drops larger ones).
function query(withExceedance: boolean) {
  const crs = config.tileCrs === "GCJ02" ? ", crs: GCJ02" : "";
  return `query MapPoints($f: OutfallFilter) { outfallPoints(filter: $f${crs}) {
    count ids lats lons phaseKeys phaseIndex districtKeys districtIndex ${withExceedance ? "exceeded" : ""} } }`;
}

let prefetched: { key: string; data: Promise<any> } | null = null;

/** Starts the overview's read before the map exists (the console calls this at start-up on #/map), so
 * the request and the map's set-up overlap; the layer takes the answer if it asks for the same. */
export function prefetchPoints(filter: OutfallFilter = {}) {
  const key = JSON.stringify([filter, false]);
  const data = gql(query(false), { f: filter });
  data.catch(() => { if (prefetched?.key === key) prefetched = null; });
  prefetched = { key, data };
}

function points(filter: OutfallFilter, withExc: boolean): Promise<any> {
  const key = JSON.stringify([filter, withExc]);
  if (prefetched?.key === key) {
    const p = prefetched.data;
    prefetched = null; // used once: later reads must see later data
    return p;
  }
  return gql(query(withExc), { f: filter });
}

export class OutfallLayer {
  private all: Point[] = [];
  private gen = 0;
  private loading = false;
  private clustered = false;
  private loaded = false;
  private withExc = false; // the points carry `exc` (read only while colouring by exceedance)
  filter: OutfallFilter = {};
  colourBy: ColourBy = "phase";
  tasks = new Map<string, "open" | "overdue">();
  taskFilter: "" | "open" | "overdue" = "";
  onChange: (drawn: number, busy: boolean, total: number | null) => void = () => {};
  firstDraw: number | null = null;

  constructor(private map: maplibregl.Map, private opts: { radius?: number } = {}, filter: OutfallFilter = {}) {
    this.filter = filter;
    this.build(false);
    this.load();
  }

  /** (Re)creates the source and its layers: cluster properties depend on the colouring. */
  private build(withData = true) {
    const m = this.map;
    for (const id of ["outfall-clusters", "outfalls"]) if (m.getLayer(id)) m.removeLayer(id);
    if (m.getSource("outfalls")) m.removeSource("outfalls");
    const sum = (test: any) => ["+", ["case", test, 1, 0]];
    const props: Record<string, any> = this.colourBy === "phase"
      ? Object.fromEntries(Object.keys(PHASE_COLOURS).map((p) => [p, sum(["==", ["get", "phase"], p])]))
      : this.colourBy === "exceedance"
        ? { x: sum(["==", ["get", "exc"], 1]), ok: sum(["==", ["get", "exc"], 0]) }
        : { over: sum(["==", ["get", "task"], "overdue"]), open: sum(["==", ["get", "task"], "open"]) };
    m.addSource("outfalls", {
      type: "geojson", data: withData ? this.collection() : { type: "FeatureCollection", features: [] },
      cluster: this.clustered, clusterMaxZoom: CLUSTER_MAX_ZOOM,
      clusterRadius: 36, clusterProperties: props,
    });
    m.addLayer({
      id: "outfall-clusters", type: "circle", source: "outfalls", filter: ["has", "point_count"],
      paint: {
        "circle-radius": ["step", ["get", "point_count"], 5, 50, 8, 500, 12, 2000, 16],
        "circle-color": this.clusterColour(),
        "circle-opacity": 0.85,
        "circle-stroke-width": 1.5,
        "circle-stroke-color": "#ffffff",
      },
    });
    m.addLayer({
      id: "outfalls", type: "circle", source: "outfalls", filter: ["!", ["has", "point_count"]],
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 5, (this.opts.radius ?? 1.6), 10, 3.5, 14, 7],
        "circle-color": this.colourExpr(),
        "circle-stroke-width": ["interpolate", ["linear"], ["zoom"], 8, 0, 12, 1],
        "circle-stroke-color": "#ffffff",
      },
    });
    if (m.getLayer("stations")) m.moveLayer("stations");
  }

  colourExpr(): any {
    if (this.colourBy === "exceedance") return ["match", ["get", "exc"], 1, RED, 0, GREEN, GREY];
    if (this.colourBy === "task") return ["match", ["get", "task"], "overdue", RED, "open", ORANGE, BLUE];
    return ["match", ["get", "phase"], ...Object.entries(PHASE_COLOURS).flat(), "#555"];
  }

  private clusterColour(): any {
    if (this.colourBy === "exceedance") return ["case", [">", ["get", "x"], 0], RED, [">", ["get", "ok"], 0], GREEN, GREY];
    if (this.colourBy === "task") return ["case", [">", ["get", "over"], 0], RED, [">", ["get", "open"], 0], ORANGE, BLUE];
    const [a, b, c, d] = Object.keys(PHASE_COLOURS).map((p) => ["get", p]);
    const [ca, cb, cc, cd] = Object.values(PHASE_COLOURS);
    return ["case", [">=", a, ["max", b, c, d]], ca, [">=", b, ["max", c, d]], cb, [">=", c, d], cc, cd];
  }

  setColour(c: ColourBy) {
    if (c === this.colourBy) return;
    const reload = c === "exceedance" && !this.withExc;
    this.colourBy = c;
    this.build();
    if (reload) this.load();
  }

  /** Reads the new filter's points; a narrow filter (at most ALL_AT_ONCE) makes the view fit them. */
  setFilter(f: OutfallFilter) {
    if (JSON.stringify(f) === JSON.stringify(this.filter)) return;
    this.filter = f;
    this.load();
  }

  setTaskFilter(v: "" | "open" | "overdue") {
    this.taskFilter = v;
    this.draw();
  }

  setTasks(m: Map<string, "open" | "overdue">) {
    this.tasks = m;
    // Re-clustering 60,000 points costs seconds of worker time: only when tasks are what is shown.
    if (this.colourBy === "task" || this.taskFilter) this.draw();
  }

  points(): Point[] {
    if (!this.taskFilter) return this.all;
    return this.all.filter((p) => {
      const task = this.tasks.get(p.id);
      return this.taskFilter === "open" ? !!task : task === "overdue";
    });
  }

  /** Reads again only if the last read failed (the screen calls this after a reconnect). */
  ensureLoaded() {
    if (!this.loaded && !this.loading) this.load();
  }

  /** Nothing loading (tests and the benchmark wait for this). */
  idle() { return !this.loading; }

  count() { return this.points().length; }

  /** Reads the filter's points in one request; a newer request wins over an older one still running. */
  async load() {
    const gen = ++this.gen;
    this.loading = true;
    this.loaded = false;
    this.onChange(this.count(), true, null);
    try {
      const withExc = this.colourBy === "exceedance";
      performance.mark("ow:points-asked");
      const d: any = await points(this.filter, withExc);
      performance.mark("ow:points-received");
      if (gen !== this.gen) return;
      const c = d.outfallPoints;
      const all: Point[] = new Array(c.count);
      for (let i = 0; i < c.count; i++)
        all[i] = { id: String(c.ids[i]), phase: c.phaseKeys[c.phaseIndex[i]], district: c.districtKeys[c.districtIndex[i]],
                   lon: c.lons[i], lat: c.lats[i], exc: withExc ? c.exceeded[i] : -2 };
      this.all = all;
      this.withExc = withExc;
      this.loaded = true;
      const clustered = all.length > CLUSTER_OVER;
      if (clustered !== this.clustered) { this.clustered = clustered; this.build(false); }
      this.draw();
      if (Object.values(this.filter).some((v) => v) && all.length && all.length <= ALL_AT_ONCE) {
        let w = 180, s = 90, e = -180, n = -90;
        for (const p of all) { w = Math.min(w, p.lon); e = Math.max(e, p.lon); s = Math.min(s, p.lat); n = Math.max(n, p.lat); }
        this.map.fitBounds([[w, s], [e, n]], { padding: 60, maxZoom: 14, duration: 600 });
      }
    } catch {
      // A failed read leaves what was drawn; the next filter change or reconnect asks again.
    } finally {
      if (gen === this.gen) { this.loading = false; this.onChange(this.count(), false, this.loaded ? this.all.length : null); }
    }
  }

  private collection(): GeoJSON.FeatureCollection {
    const features: GeoJSON.Feature[] = this.points().map((p) => ({
      type: "Feature", id: Number(p.id), geometry: { type: "Point", coordinates: [p.lon, p.lat] },
      properties: { id: p.id, phase: p.phase, exc: p.exc, task: this.tasks.get(p.id) ?? "none" },
    }));
    return { type: "FeatureCollection", features };
  }

  private draw() {
    const data = this.collection();
    performance.mark("ow:set-data");
    (this.map.getSource("outfalls") as maplibregl.GeoJSONSource)?.setData(data);
    if (data.features.length && this.firstDraw === null) {
      this.map.once("idle", () => {
        if (this.firstDraw === null) {
          this.firstDraw = performance.now();
          (window as any).__owFirstDraw = this.firstDraw;
        }
      });
    }
    (window as any).__owDrawn = data.features.length;
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
