// A MapLibre map on the configured XYZ raster tiles (if any) with the project's own reference layers
// (rivers, district labels) on top, so the map is readable with no tile server at all.
import maplibregl, { type StyleSpecification } from "maplibre-gl";
import { config } from "../config";
import { lang } from "../i18n";

export interface Basemap {
  rivers: GeoJSON.FeatureCollection;
  districts: { code: string; name: string; nameEn: string; lat: number; lon: number }[];
}

let basemap: Promise<Basemap> | null = null;
export function loadBasemap(): Promise<Basemap> {
  basemap ??= fetch(`/console/basemap.json?crs=${config.tileCrs}`).then((r) => r.json());
  return basemap;
}

export function createMap(container: HTMLElement, opts: { dark?: boolean; interactive?: boolean } = {}): maplibregl.Map {
  const style: StyleSpecification = {
    version: 8,
    sources: {},
    layers: [{ id: "bg", type: "background", paint: { "background-color": opts.dark ? "#0b1826" : "#eef2ef" } }],
  };
  if (config.tileUrl) {
    style.sources.tiles = { type: "raster", tiles: [config.tileUrl], tileSize: 256, attribution: config.tileAttribution };
    style.layers.push({ id: "tiles", type: "raster", source: "tiles", paint: opts.dark ? { "raster-brightness-max": 0.45 } : {} });
  }
  const map = new maplibregl.Map({
    container, style, center: config.center, zoom: config.zoom, attributionControl: false,
    interactive: opts.interactive ?? true, maxZoom: 18, minZoom: 4,
  });
  if (opts.interactive !== false) map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.AttributionControl({ compact: true }));
  map.on("load", async () => {
    const b = await loadBasemap();
    map.addSource("rivers", { type: "geojson", data: b.rivers });
    map.addLayer({ id: "rivers", type: "line", source: "rivers",
                   paint: { "line-color": opts.dark ? "#2f7fb8" : "#7fb3d9", "line-width": ["interpolate", ["linear"], ["zoom"], 5, 1.5, 12, 6] } },
                 map.getLayer("outfalls") ? "outfalls" : undefined);
    // District names as DOM labels: MapLibre text needs glyph files from a server; the DOM has the fonts.
    for (const d of b.districts) {
      const el = document.createElement("div");
      el.className = "district-label";
      el.textContent = lang === "en" ? d.nameEn.replace(/ (District|County|Autonomous County)$/, "") : d.name;
      new maplibregl.Marker({ element: el }).setLngLat([d.lon, d.lat]).addTo(map);
      el.setAttribute("aria-label", el.textContent); // MapLibre names every marker "Map marker"
    }
  });
  return map;
}
