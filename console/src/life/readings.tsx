// Readings as the rules judge them: effluent against the outfall's standard (or approved limits), river
// water upstream/downstream against the receiving water's target, a kit reading marked as screening, and
// 超标倍数 = (C − limit) / limit as the server computes it (exceedanceMultiple).
import { t } from "../i18n";
import { pname } from "../params";
import "./strings";

const fmtMultiple = (x: number) => (Math.round(x * 100) / 100).toString();

export function Reading({ m }: { m: any }) {
  const unit = m.unit && m.unit !== "dimensionless" ? ` ${m.unit}` : "";
  const judged = m.basis != null;
  return (
    <span class={`reading ${m.exceeded ? "bad" : ""}`} data-sample={m.sampleType ?? "null"} data-exceeded={m.exceeded ? "1" : "0"}>
      {pname(m.parameter)} {m.value}{unit}
      {m.limit != null && ` / ${m.limit}`}{m.limitLow != null && ` ≥ ${m.limitLow}`}
      <span class="tag">{t(`sample.${m.sampleType ?? "null"}`)}</span>
      {m.screening ? <span class="tag kit">{t("kit")}</span> : <span class="tag">{t("lab")}</span>}
      {judged ? <span class="muted small"> {m.basis !== "APPROVED" && m.standard ? `${m.standard} ` : ""}{t(`judge.${m.basis}`)}</span>
              : <span class="muted small"> {t("notJudged")}{m.note ? `: ${m.note}` : ""}</span>}
      {m.exceedanceMultiple != null &&
        <span class="mult" data-testid="multiple" title={t("multipleDef")}> · {t("multiple")} {fmtMultiple(m.exceedanceMultiple)}</span>}
      {" "}
    </span>
  );
}

const GROUP_OF: Record<string, string> = { EFFLUENT: "EFFLUENT", UPSTREAM: "RIVER", DOWNSTREAM: "RIVER" };
const COLOURS: Record<string, string> = { EFFLUENT: "#2c7fb8", UPSTREAM: "#1d6b35", DOWNSTREAM: "#8a5300", null: "#4d5b69" };

/** One chart per parameter and kind of water (effluent, river), oldest first, with the limit that kind
 *  was judged against as a dashed line: effluent and river water are never drawn against one limit. */
export function readingGroups(inspections: any[]) {
  const groups = new Map<string, { param: string; group: string; unit: string; series: Map<string, [string, number][]>;
                                   limit: number | null; standard: string | null }>();
  for (const i of [...inspections].reverse())
    for (const m of i.measurements) {
      const group = GROUP_OF[m.sampleType] ?? "UNMARKED";
      const key = `${m.parameter}|${group}`;
      if (!groups.has(key)) groups.set(key, { param: m.parameter, group, unit: m.unit, series: new Map(), limit: null, standard: null });
      const g = groups.get(key)!;
      const s = String(m.sampleType ?? "null");
      if (!g.series.has(s)) g.series.set(s, []);
      g.series.get(s)!.push([i.observedAt, m.value]);
      if (m.limit != null) { g.limit = m.limit; g.standard = m.standard; }  // the latest judged limit
    }
  return [...groups.values()].map((g) => {
    const kind = g.group === "EFFLUENT" ? t("effluent") : g.group === "RIVER" ? t("riverWater") : t("sample.null");
    const unit = g.unit && g.unit !== "dimensionless" ? ` (${g.unit})` : "";
    const title = `${pname(g.param)}${unit} · ${kind}${g.standard ? ` · ${g.standard}` : ""}`;
    const series = [...g.series.entries()].map(([s, data], k) => ({
      type: "line", name: t(`sample.${s}`), data, symbolSize: 7, itemStyle: { color: COLOURS[s] ?? "#2c7fb8" },
      markLine: k === 0 && g.limit != null ? { symbol: "none", lineStyle: { color: "#b3261e", type: "dashed" },
                                               data: [{ yAxis: g.limit, label: { formatter: `${t("limit")} ${g.limit}` } }] } : undefined,
    }));
    return { title, option: {
      title: { text: title, textStyle: { fontSize: 12 } }, legend: { right: 8, top: 0, textStyle: { fontSize: 11 } },
      grid: { left: 44, right: 20, top: 28, bottom: 24 }, tooltip: { trigger: "axis" },
      xAxis: { type: "time" }, yAxis: { type: "value", scale: true }, series,
    } };
  });
}
