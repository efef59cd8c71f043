// 考核: each district's completion and on-time rates for tasks due in a period, against the city's targets.
// With no target set the server says nothing about pass or fail, and neither does this table.
import { useState } from "preact/hooks";
import { gql } from "../api";
import { nm, t } from "../i18n";
import { useAsync } from "../hooks";
import { ErrorBox } from "../ui";
import { pname } from "../params";
import type { Named } from "../reference";
import "./strings";
import "./life.css";

const pct = (x: number | null) => (x == null ? "—" : `${(x * 100).toFixed(1)}%`);

function Verdict({ meets, rate }: { meets: boolean | null; rate: number | null }) {
  if (meets == null || rate == null) return null;  // no target (or nothing due): no pass/fail
  return <span class={meets ? "ok" : "bad"}> · {meets ? t("meets") : t("fails")}</span>;
}

export function AssessmentCard({ date, districts }: { date: string; districts: Map<string, Named> }) {
  const [from, setFrom] = useState(date.slice(0, 8) + "01");
  const [to, setTo] = useState(date);
  const { data, error, reload } = useAsync(() => gql<any>(`query($f: Date!, $t: Date) { districtAssessment(from: $f, to: $t) {
    from to targetCompletionRate targetOnTimeRate districts { districtCode district due completed onTime completionRate onTimeRate
    meetsCompletion meetsOnTime } } }`, { f: from, t: to }), [from, to]);
  const a = data?.districtAssessment;
  const name = (d: any) => { const x = districts.get(d.districtCode); return x ? nm(x) : d.district; };
  return (
    <section class="card assess" aria-labelledby="assess-h" data-testid="assessment">
      <h2 id="assess-h">{t("assessment")}</h2>
      <div class="filters">
        <label>{t("from")}<input type="date" name="assessFrom" value={from} onChange={(e) => setFrom((e.target as HTMLInputElement).value)} /></label>
        <label>{t("to")}<input type="date" name="assessTo" value={to} onChange={(e) => setTo((e.target as HTMLInputElement).value)} /></label>
      </div>
      {error && <ErrorBox error={error} onRetry={reload} />}
      {a && <>
        <p data-testid="assessment-targets">{t("target")}: {t("completionRate")} {a.targetCompletionRate == null ? t("targetUnset") : pct(a.targetCompletionRate)}
          {" · "}{t("onTimeRate")} {a.targetOnTimeRate == null ? t("targetUnset") : pct(a.targetOnTimeRate)}</p>
        {a.districts.length ? <table class="grid compact assess">
          <thead><tr><th>{t("district")}</th><th class="num">{t("due")}</th><th class="num">{t("completed")}</th><th class="num">{t("onTime")}</th>
            <th class="num">{t("completionRate")}</th><th class="num">{t("onTimeRate")}</th></tr></thead>
          <tbody>{a.districts.map((d: any) => (
            <tr data-district={d.districtCode}><td>{name(d)}</td><td class="num">{d.due}</td><td class="num">{d.completed}</td><td class="num">{d.onTime}</td>
              <td class="num" data-testid="completion">{pct(d.completionRate)}<Verdict meets={d.meetsCompletion} rate={d.completionRate} /></td>
              <td class="num" data-testid="ontime">{pct(d.onTimeRate)}<Verdict meets={d.meetsOnTime} rate={d.onTimeRate} /></td></tr>))}</tbody>
        </table> : <p class="muted">{t("noneDue")}</p>}
      </>}
    </section>
  );
}

/** The brief's exceedances with the standard they were judged against and 超标倍数. */
export function ExceedanceTable({ rows, districts }: { rows: any[]; districts: Map<string, Named> }) {
  if (!rows.length) return null;
  return (
    <section class="card" aria-labelledby="exc-h" data-testid="exceedance-table">
      <h2 id="exc-h">{t("exceedanceTable")}</h2>
      <p class="muted small">{t("multipleDef")}</p>
      <table class="grid compact">
        <thead><tr><th>{t("code")}</th><th>{t("name")}</th><th>{t("district")}</th><th>{t("parameter")}</th><th class="num">{t("value")}</th>
          <th>{t("sampleType")}</th><th class="num">{t("limit")}</th><th>{t("judgedAgainst")}</th><th class="num">{t("multiple")}</th></tr></thead>
        <tbody>{rows.map((e) => { const d = districts.get(e.districtCode); return (
          <tr><td>{e.outfallCode}</td><td>{e.outfallName}</td><td>{d ? nm(d) : e.district}</td><td>{pname(e.parameter)}</td>
            <td class="num">{e.value} {e.unit !== "dimensionless" ? e.unit : ""}</td>
            <td>{t(`sample.${e.sampleType ?? "null"}`)}{e.method === "KIT" && <span class="tag kit"> {t("kit")}</span>}</td>
            <td class="num">{e.limit ?? "—"}</td><td>{e.standard ?? "—"}{e.basis && <span class="muted small"> {t(`judge.${e.basis}`)}</span>}</td>
            <td class="num" data-testid="brief-multiple">{e.multiple == null ? "—" : (Math.round(e.multiple * 100) / 100).toString()}</td></tr>); })}</tbody>
      </table>
    </section>
  );
}
