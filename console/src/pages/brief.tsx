// 简报统计: the daily brief for any date (printable) and its charts.
import { useState } from "preact/hooks";
import { gql } from "../api";
import { nm, t } from "../i18n";
import { useAsync, useLang } from "../hooks";
import { reference } from "../reference";
import type { Me } from "../session";
import { barOption, Chart } from "../charts";
import { ErrorBox } from "../ui";
import { AssessmentCard, ExceedanceTable } from "../life/assessment";

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10); // China Standard Time

export function BriefPage({ params }: { me: Me; params: URLSearchParams }) {
  useLang();
  const [date, setDate] = useState(params.get("date") ?? today());
  const { data, error, loading, reload } = useAsync(async () => {
    const [d, ref] = await Promise.all([gql<any>(`query($d: Date!) { dailyBrief(date: $d) { date scope
      newTasksByKind { key label count } newTasksByDistrict { key label count } overdueByDistrict { key label count }
      exceedances { outfallCode outfallName district districtCode parameter value unit limit standard multiple sampleType basis method }
      approved rejected rejections { taskCode reason } medianHoursToClose html } }`, { d: date }), reference()]);
    return { b: d.dailyBrief, ref };
  }, [date]);
  const b = data?.b;
  // Districts come keyed by code (label beside): shown in the page's language from the reference data.
  const byCode = new Map((data?.ref.districts ?? []).map((x) => [x.code, x]));
  const dist = (rows: any[]) => rows.map((r) => ({ label: byCode.has(r.key) ? nm(byCode.get(r.key)!) : r.label, count: r.count }));
  const params_ = new Map<string, number>();
  for (const e of b?.exceedances ?? []) params_.set(e.parameter, (params_.get(e.parameter) ?? 0) + 1);
  return (
    <div class="page brief">
      <header class="pagehead noprint">
        <h1>{t("brief")}</h1>
        <label>{t("date")} <input type="date" name="date" value={date} onChange={(e) => setDate((e.target as HTMLInputElement).value)} /></label>
        <button onClick={() => window.print()}>{t("print")}</button>
      </header>
      {error && <ErrorBox error={error} onRetry={reload} />}
      {loading && !b && <p>{t("loading")}</p>}
      {b && <>
        <div class="figures">
          <div class="fig"><b>{b.newTasksByKind.reduce((n: number, r: any) => n + r.count, 0)}</b><span>{t("newTasks")}</span></div>
          <div class="fig"><b>{b.exceedances.length}</b><span>{t("exceedances")}</span></div>
          <div class="fig"><b>{b.approved}</b><span>{t("approved")}</span></div>
          <div class="fig"><b>{b.rejected}</b><span>{t("rejected")}</span></div>
          <div class="fig"><b data-testid="median-hours">{b.medianHoursToClose ?? "—"}</b><span>{t("medianHours")}</span></div>
        </div>
        <div class="chartgrid">
          <section class="card"><h2>{t("tasksByDistrict")}</h2><Chart label={t("tasksByDistrict")} option={barOption(dist(b.newTasksByDistrict))} /></section>
          <section class="card"><h2>{t("tasksByKind")}</h2><Chart label={t("tasksByKind")} option={barOption(b.newTasksByKind.map((r: any) => ({ label: t(r.key), count: r.count })))} /></section>
          <section class="card"><h2>{t("exceedancesByParam")}</h2><Chart label={t("exceedancesByParam")} option={barOption([...params_].map(([k, n]) => ({ label: k, count: n })), { color: "#b3261e" })} /></section>
          <section class="card"><h2>{t("overdueByDistrict")}</h2><Chart label={t("overdueByDistrict")} option={barOption(dist(b.overdueByDistrict), { color: "#8a5300" })} /></section>
        </div>
        <ExceedanceTable rows={b.exceedances} districts={byCode} />
        <AssessmentCard date={date} districts={byCode} />
        <section class="card printable">
          {/* The server's own rendering (escaped), isolated so its stylesheet cannot restyle the console. */}
          <iframe title={t("brief")} sandbox="" srcdoc={b.html} class="briefdoc" />
        </section>
      </>}
    </div>
  );
}
