// 任务台账: tasks with filters and sorting (deadline first, so overdue come first), live from taskEvents,
// each task's history, and the ledger export.
import { useEffect, useRef, useState } from "preact/hooks";
import { download, gql, onTaskEvents } from "../api";
import { fmtTime, nm, t } from "../i18n";
import { useAsync, useLang } from "../hooks";
import { reference, type Named } from "../reference";
import { isCity, type Me } from "../session";
import { Countdown, ErrorBox, Status } from "../ui";
import { canIntake, IntakeCell, IntakeForm, LevelCell } from "../life/intake";

const STATUSES = ["OPEN", "IN_PROGRESS", "SUBMITTED", "REJECTED", "APPROVED", "CANCELLED"];
const KINDS = ["ILLEGAL_DISCHARGE", "EXCEEDANCE", "FLOATING_DEBRIS", "RIVERBANK_GARBAGE", "SIGNBOARD", "OUTFALL_REMEDIATION", "OTHER"];
export const TASK_FIELDS = `id code title kind status deadline isOverdue createdAt version
  source intakeChannel intakeReference supervisionLevel escalatedAt
  district { code name nameEn } outfall { id code name }
  latestSubmission { submittedAt status review { decision reason reviewer { displayName } } }`;

type Sort = "deadline" | "created" | "status";

export function LedgerPage({ me }: { me: Me; params: URLSearchParams }) {
  useLang();
  const [districts, setDistricts] = useState<Named[]>([]);
  const [status, setStatus] = useState("");
  const [kind, setKind] = useState("");
  const [district, setDistrict] = useState("");
  const [overdue, setOverdue] = useState(false);
  const [sort, setSort] = useState<Sort>("deadline");
  const [rows, setRows] = useState<any[]>([]);
  const [total, setTotal] = useState(0);
  const [after, setAfter] = useState<string | null>(null);
  const [error, setError] = useState<any>(null);
  const [flash, setFlash] = useState<Set<string>>(new Set());
  const [intake, setIntake] = useState(false);
  useEffect(() => { reference().then((r) => setDistricts(r.districts)); }, []);

  const filter = { status: status ? [status] : null, kind: kind || null, districtCode: district || null, overdue: overdue || null };
  const key = JSON.stringify(filter);
  async function load(more = false) {
    try {
      const d = await gql<any>(`query($f: TaskFilter, $after: String) { tasks(filter: $f, first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { ${TASK_FIELDS} } } } }`, { f: filter, after: more ? after : null });
      const nodes = d.tasks.edges.map((e: any) => e.node);
      setRows((r) => (more ? [...r, ...nodes] : nodes));
      setTotal(d.tasks.totalCount);
      setAfter(d.tasks.pageInfo.hasNextPage ? d.tasks.pageInfo.endCursor : null);
      setError(null);
    } catch (e) { setError(e); }
  }
  useEffect(() => { load(); }, [key]);

  // Live: an event replaces its row in place (or reloads when a new task may belong in the list).
  const live = useRef<{ load: typeof load; timer?: number }>({ load });
  live.current.load = load;
  useEffect(() => onTaskEvents(TASK_FIELDS, (e) => {
    setFlash((s) => new Set(s).add(e.task.id));
    setTimeout(() => setFlash((s) => { const n = new Set(s); n.delete(e.task.id); return n; }), 4000);
    // The event's task is shown at once; the list is then re-read, since the change may move it in or
    // out of the filter (a few events in a burst cost one read).
    setRows((rs) => rs.map((r) => (r.id === e.task.id ? e.task : r)));
    if (live.current.timer) clearTimeout(live.current.timer);
    live.current.timer = window.setTimeout(() => live.current.load(), 300);
  }, isCity(me) ? null : me.district?.code), []);

  const sorted = [...rows].sort((a, b) =>
    sort === "created" ? b.createdAt.localeCompare(a.createdAt)
    : sort === "status" ? STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status)
    : (Number(b.isOverdue) - Number(a.isOverdue)) || a.deadline.localeCompare(b.deadline));
  const qs = new URLSearchParams(Object.entries({ status, kind, districtCode: district, overdue: overdue ? "true" : "" }).filter(([, v]) => v)).toString();
  const sel = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLSelectElement).value);
  return (
    <div class="page">
      <header class="pagehead">
        <h1>{t("tasks")} <span class="muted" data-testid="task-total">{total}</span></h1>
        {canIntake(me) && <button class="primary" data-action="intake" onClick={() => setIntake(true)}>{t("fromComplaint")}</button>}
        <button onClick={() => download(`/export/tasks.csv${qs ? "?" + qs : ""}`, "tasks.csv")}>{t("ledgerExportCsv")}</button>
        <button onClick={() => download(`/export/tasks.xlsx${qs ? "?" + qs : ""}`, "tasks.xlsx")}>{t("ledgerExportXlsx")}</button>
      </header>
      <div class="filters" role="search">
        <label>{t("status")}<select name="status" value={status} onChange={sel(setStatus)}><option value="">{t("all")}</option>
          {STATUSES.map((s) => <option value={s}>{t(s)}</option>)}</select></label>
        <label>{t("kind")}<select name="kind" value={kind} onChange={sel(setKind)}><option value="">{t("all")}</option>
          {KINDS.map((s) => <option value={s}>{t(s)}</option>)}</select></label>
        {isCity(me) && <label>{t("district")}<select name="district" value={district} onChange={sel(setDistrict)}><option value="">{t("all")}</option>
          {districts.map((d) => <option value={d.code}>{nm(d)}</option>)}</select></label>}
        <label class="check"><input type="checkbox" name="overdue" checked={overdue} onChange={(e) => setOverdue((e.target as HTMLInputElement).checked)} />{t("overdue")}</label>
        <label>{t("sort")}<select name="sort" value={sort} onChange={sel((v) => setSort(v as Sort))}>
          <option value="deadline">{t("deadline")}</option><option value="created">{t("created")}</option><option value="status">{t("status")}</option></select></label>
      </div>
      {intake && <IntakeForm me={me} onClose={(task) => { setIntake(false); if (task) location.hash = `#/task/${task.id}`; }} />}
      {error && <ErrorBox error={error} onRetry={() => load()} />}
      <table class="grid ledger">
        <thead><tr><th>{t("code")}</th><th>{t("title")}</th><th>{t("kind")}</th><th>{t("district")}</th><th>{t("outfall")}</th>
          <th>{t("intake")}</th><th>{t("supervisionLevel")}</th><th>{t("status")}</th><th>{t("deadline")}</th><th>{t("review")}</th></tr></thead>
        <tbody>{sorted.map((x) => (
          <tr data-task={x.code} data-status={x.status} class={`${x.isOverdue ? "overdue" : ""} ${flash.has(x.id) ? "flash" : ""}`}>
            <td><a href={`#/task/${x.id}`}>{x.code}</a></td><td>{x.title}</td><td>{t(x.kind)}</td><td>{nm(x.district)}</td>
            <td>{x.outfall ? <a href={`#/outfall/${x.outfall.id}`}>{x.outfall.code}</a> : "—"}</td>
            <td><IntakeCell x={x} /></td><td><LevelCell x={x} />{x.escalatedAt && <span class="muted small"> {t("escalatedAt")} {fmtTime(x.escalatedAt)}</span>}</td>
            <td><Status s={x.status} /></td>
            <td>{["APPROVED", "CANCELLED"].includes(x.status) ? fmtTime(x.deadline) : <Countdown deadline={x.deadline} />}</td>
            <td>{x.latestSubmission?.review ? `${t(x.latestSubmission.review.decision === "APPROVE" ? "approved" : "rejected")}${x.latestSubmission.review.reason ? ": " + x.latestSubmission.review.reason : ""}` : ""}</td>
          </tr>))}</tbody>
      </table>
      {after && <button onClick={() => load(true)}>{t("moreRows")}</button>}
    </div>
  );
}

export function TaskPage({ id }: { me: Me; id: string }) {
  useLang();
  const { data, error, loading, reload } = useAsync(() => gql<any>(`query($id: ID!) { task(id: $id) { ${TASK_FIELDS}
    description source cancelReason createdBy { displayName }
    submissions { id submittedAt status note submittedBy { displayName }
      review { decision reason reviewedAt reviewer { displayName } }
      before { id thumbnailUrl url } after { id thumbnailUrl url } } } }`, { id }), [id]);
  useEffect(() => onTaskEvents("id", (e) => { if (e.task.id === id) reload(); }), [id]);
  if (loading && !data) return <p class="pad">{t("loading")}</p>;
  if (error) return <div class="pad"><ErrorBox error={error} onRetry={reload} /></div>;
  const x = data.task;
  if (!x) return <div class="pad"><ErrorBox error={{ code: "NOT_FOUND", message: id }} /></div>;
  return (
    <div class="page">
      <header class="pagehead"><h1>{x.code} {x.title}</h1><Status s={x.status} /><a href="#/tasks">← {t("tasks")}</a></header>
      <section class="card">
        <dl class="facts">
          <dt>{t("kind")}</dt><dd>{t(x.kind)}</dd><dt>{t("district")}</dt><dd>{nm(x.district)}</dd>
          <dt>{t("intake")}</dt><dd><IntakeCell x={x} /></dd>
          <dt>{t("supervisionLevel")}</dt><dd><LevelCell x={x} />{x.escalatedAt && <span class="muted small"> {t("escalatedAt")} {fmtTime(x.escalatedAt)}</span>}</dd>
          <dt>{t("outfall")}</dt><dd>{x.outfall ? <a href={`#/outfall/${x.outfall.id}`}>{x.outfall.code} {x.outfall.name}</a> : "—"}</dd>
          <dt>{t("deadline")}</dt><dd>{fmtTime(x.deadline)} {!["APPROVED", "CANCELLED"].includes(x.status) && <Countdown deadline={x.deadline} />}</dd>
          <dt>{t("description")}</dt><dd>{x.description ?? "—"}</dd>
        </dl>
      </section>
      <section class="card">
        <h2>{t("history")}</h2>
        <ol class="history">
          <li>{fmtTime(x.createdAt)} · {t("CREATED")} · {x.createdBy?.displayName ?? x.source}</li>
          {x.submissions.map((s: any) => [
            <li>{fmtTime(s.submittedAt)} · {t("SUBMITTED")} · {s.submittedBy.displayName}{s.note ? ` · ${s.note}` : ""}
              <div class="thumbs">{[...s.before.map((m: any) => [m, "BEFORE"]), ...s.after.map((m: any) => [m, "AFTER"])].map(([m, role]: any, i: number) =>
                m.thumbnailUrl && <a href={m.url} target="_blank" rel="noopener"><img src={m.thumbnailUrl} alt={`${t(role)} ${i + 1}`} /></a>)}</div></li>,
            s.review && <li class={s.review.decision === "REJECT" ? "bad" : "ok"}>{fmtTime(s.review.reviewedAt)} · {t(s.review.decision === "APPROVE" ? "APPROVED" : "REJECTED")} · {s.review.reviewer.displayName}{s.review.reason ? ` · ${s.review.reason}` : ""}</li>,
          ])}
          {x.escalatedAt && <li class="bad" data-testid="escalated">{fmtTime(x.escalatedAt)} · {t("escalatedTo")} {t(`lvl.${x.supervisionLevel}`)}</li>}
          {x.cancelReason && <li>{t("CANCELLED")} · {x.cancelReason}</li>}
        </ol>
      </section>
    </div>
  );
}
