// 全周期待办: what waits on someone in the outfall's life — suspected outfalls to verify on site (查),
// tracing records for review, plans waiting for
// acceptance (验收), accepted plans waiting for 销号, and plans in progress by deadline. Each row opens the
// outfall's profile, where the action is.
import { gql } from "../api";
import { fmtTime, lang, nm, t } from "../i18n";
import { useAsync, useLang } from "../hooks";
import type { Me } from "../session";
import { ErrorBox } from "../ui";
import "./strings";
import "./life.css";

const OUTFALL = "outfall { id code name district { code name nameEn } }";

export function LifeQueuePage({ me }: { me: Me }) {
  useLang();
  const traceable = me.role !== "INTEGRATOR";  // tracing records name contacts: not for integrators
  // A district user's suspects are asked for by district, so the page's 200 are all theirs.
  const suspects = { verification: "SUSPECTED", districtCode: me.district?.code ?? null };
  const { data, error, reload } = useAsync(() => gql<any>(`query($tr: Boolean!, $sf: OutfallFilter) {
    suspected: outfalls(first: 200, filter: $sf) { totalCount edges { node { id code name createdAt
      district { code name nameEn } river { code name nameEn } } } }
    tracing: tracingRecords(status: SUBMITTED, first: 200) @include(if: $tr) { id submittedAt determined party { name } ${OUTFALL} }
    submitted: remediationPlans(status: SUBMITTED, first: 200) { id type deadline submittedAt ${OUTFALL} }
    accepted: remediationPlans(status: ACCEPTED, first: 200) { id type deadline acceptedAt ${OUTFALL} }
    inProgress: remediationPlans(status: IN_PROGRESS, first: 200) { id type deadline missingItems reviewReason ${OUTFALL} }
  }`, { tr: traceable, sf: suspects }), []);
  const own = (rows: any[]) => (me.district ? rows.filter((r) => r.outfall.district.code === me.district!.code) : rows);
  const link = (r: any) => <a href={`#/outfall/${r.outfall.id}`}>{r.outfall.code} {r.outfall.name}</a>;
  const section = (id: string, title: string, rows: any[] | undefined, head: string[], cells: (r: any) => any[]) => rows && (
    <section class="card" aria-labelledby={`${id}-h`} data-testid={`queue-${id}`}>
      <h2 id={`${id}-h`}>{title} <span class="muted">({rows.length})</span></h2>
      {rows.length ? <table class="grid compact">
        <thead><tr><th>{t("outfall")}</th><th>{t("district")}</th>{head.map((h) => <th>{h}</th>)}</tr></thead>
        <tbody>{rows.map((r) => <tr data-outfall={r.outfall.code}><td>{link(r)}</td><td>{nm(r.outfall.district)}</td>{cells(r).map((c) => <td>{c}</td>)}</tr>)}</tbody>
      </table> : <p class="muted">{t("none")}</p>}
    </section>);
  const byDeadline = (rows: any[]) => [...rows].sort((a, b) => a.deadline.localeCompare(b.deadline));
  return (
    <div class="page">
      <header class="pagehead"><h1>{t("lifeQueue")}</h1><button onClick={reload}>{t("refresh")}</button></header>
      {error && <ErrorBox error={error} onRetry={reload} />}
      {data && <>
        {section("suspected", t("queueSuspected"), own(data.suspected.edges.map((e: any) => ({ outfall: e.node }))),
                 [t("river"), t("foundOn")], (r) => [nm(r.outfall.river), fmtTime(r.outfall.createdAt)])}
        {data.suspected.totalCount > data.suspected.edges.length &&
          <p class="muted small">{t("queueFirstOf")} {data.suspected.edges.length} / {data.suspected.totalCount}</p>}
        {section("tracing", t("queueTracing"), data.tracing && own(data.tracing), [t("party"), t("submittedOn")],
                 (r) => [r.determined ? r.party.name : `${t("determinedNo")} · ${r.party.name}`, fmtTime(r.submittedAt)])}
        {section("submitted", t("queueAcceptance"), own(data.submitted), [t("planType"), t("acceptanceAsked")],
                 (r) => [t(`plan.${r.type}`), fmtTime(r.submittedAt)])}
        {section("accepted", t("queueCloseOut"), own(data.accepted), [t("planType"), t("acceptedOn")],
                 (r) => [t(`plan.${r.type}`), fmtTime(r.acceptedAt)])}
        {section("progress", t("queueInProgress"), byDeadline(own(data.inProgress)), [t("planType"), t("deadline"), t("stillMissing")],
                 (r) => [t(`plan.${r.type}`), r.deadline, <>{r.missingItems.map((i: string) => t(`item.${i}`)).join(lang === "en" ? ", " : "、") || "—"}
                   {r.reviewReason && <span class="error small"> · {t("planRejected")}: {r.reviewReason}</span>}</>])}
      </>}
    </div>
  );
}
