// Parameter names in both languages, shared by every page that shows a reading (codes such as NH3_N are
// the API's keys, never what a reader sees).
import { lang } from "./i18n";

const PARAM_LABELS: Record<string, [string, string]> = {
  NH3_N: ["氨氮", "NH3-N"], TP: ["总磷", "TP"], CODMN: ["高锰酸盐指数", "CODMn"], DO: ["溶解氧", "DO"], PH: ["pH", "pH"],
  TN: ["总氮", "TN"], TURBIDITY: ["浊度", "Turbidity"], CONDUCTIVITY: ["电导率", "Conductivity"], WATER_TEMP: ["水温", "Water temp."],
  COD: ["化学需氧量", "COD"], BOD5: ["五日生化需氧量", "BOD5"], FLOW: ["流量", "Flow"],
};
export const pname = (p: string) => (PARAM_LABELS[p] ?? [p, p])[lang === "en" ? 1 : 0];
