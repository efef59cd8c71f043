// Monitoring stations on the map, filled with the GB 3838 class of their latest assessed day (碧水日历)
// and ringed red while an off-target episode is open; drawn above the outfalls.
import type maplibregl from "maplibre-gl";
import { gql } from "../api";
import { config } from "../config";
import { CLASS_COLOURS } from "../pages/station";

export interface StationMark {
  id: string; code: string; name: string; riverCode: string; targetClass: string; offTarget: boolean;
  lat: number; lon: number; waterClass: string | null; day: string | null; meetsTarget: boolean | null;
}

/** Stations with their latest day's class (this month, else last month) from two cityCalendar reads. */
export async function loadStations(): Promise<StationMark[]> {
  const now = new Date(Date.now() + 8 * 3_600_000); // the bureau's day (UTC+8)
  const y = now.getUTCFullYear(), m = now.getUTCMonth() + 1;
  const [py, pm] = m === 1 ? [y - 1, 12] : [y, m - 1];
  const loc = config.tileCrs === "GCJ02" ? "location(crs: GCJ02)" : "location";
  const d: any = await gql(`query($y: Int!, $m: Int!, $py: Int!, $pm: Int!) {
    stations { id code name riverCode targetClass offTarget status ${loc} { lat lon } }
    now: cityCalendar(year: $y, month: $m) { station { id } days { day waterClass meetsTarget } }
    before: cityCalendar(year: $py, month: $pm) { station { id } days { day waterClass meetsTarget } } }`,
    { y, m, py, pm });
  const latest = new Map<string, any>();
  for (const row of [...d.before, ...d.now])
    for (const day of row.days) if (day.waterClass) latest.set(row.station.id, day);
  return d.stations.filter((s: any) => s.status === "ACTIVE").map((s: any) => {
    const l = latest.get(s.id);
    return { id: s.id, code: s.code, name: s.name, riverCode: s.riverCode, targetClass: s.targetClass,
             offTarget: s.offTarget, lat: s.location.lat, lon: s.location.lon,
             waterClass: l?.waterClass ?? null, day: l?.day ?? null, meetsTarget: l?.meetsTarget ?? null };
  });
}

export function drawStations(map: maplibregl.Map, stations: StationMark[]) {
  const data: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: stations.map((s) => ({
    type: "Feature", geometry: { type: "Point", coordinates: [s.lon, s.lat] },
    properties: { id: s.id, code: s.code, cls: s.waterClass ?? "", off: s.offTarget || s.meetsTarget === false },
  })) };
  const src = map.getSource("stations") as maplibregl.GeoJSONSource | undefined;
  if (src) { src.setData(data); return; }
  map.addSource("stations", { type: "geojson", data });
  map.addLayer({
    id: "stations", type: "circle", source: "stations",
    paint: {
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 5, 6, 12, 10],
      "circle-color": ["match", ["get", "cls"], ...Object.entries(CLASS_COLOURS).flat(), "#9aa3ad"] as any,
      "circle-stroke-width": ["case", ["get", "off"], 4, 2],
      "circle-stroke-color": ["case", ["get", "off"], "#c81e1e", "#12324f"],
    },
  });
}

export function setStationsVisible(map: maplibregl.Map, on: boolean) {
  if (map.getLayer("stations")) map.setLayoutProperty("stations", "visibility", on ? "visible" : "none");
}
