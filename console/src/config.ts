// Deployment settings the server writes into /console/config.js (OUTFALLWATCH_TILE_URL and friends).
export interface ConsoleConfig {
  tileUrl: string | null;
  tileCrs: "WGS84" | "GCJ02";
  tileAttribution: string;
  center: [number, number]; // lon, lat
  zoom: number;
}

declare global {
  interface Window { OUTFALLWATCH_CONFIG?: Partial<ConsoleConfig> }
}

export const config: ConsoleConfig = {
  tileUrl: null,
  tileCrs: "WGS84",
  tileAttribution: "",
  center: [107.6, 30.0],
  zoom: 6.6,
  ...(window.OUTFALLWATCH_CONFIG ?? {}),
};
