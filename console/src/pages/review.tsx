// 审核: the queue of submissions waiting for review, oldest first; before/after side by side with zoom;
// where each photo was taken on a small map against the site; every evidence check in words; approve,
// or reject with a (reusable) reason; all from the keyboard; "already decided by X" instead of a failure.
import { useEffect, useRef, useState } from "preact/hooks";
import maplibregl from "maplibre-gl";
import { ApiError, gql, onTaskEvents } from "../api";
import { config } from "../config";
import { fmtTime, lang, nm, t } from "../i18n";
import { useLang } from "../hooks";
import type { Me } from "../session";
import { createMap } from "../map/base";
import { ErrorBox, ZoomPhoto } from "../ui";

const REASONS_KEY = "outfallwatch.reasons";
const DEFAULT_REASONS = {
  zh: ["整改后照片与整改前照片相同", "照片拍摄位置距排污口过远", "照片拍摄时间早于任务下达", "整改不彻底，仍有排放", "缺少标识牌照片"],
  en: ["After photo is the same as the before photo", "Photos taken too far from the outfall", "Photos taken before the task was issued",
       "Not fully rectified, still discharging", "Signboard photo missing"],
};
const loc = () => (config.tileCrs === "GCJ02" ? "location(crs: GCJ02)" : "location");
const MEDIA = `id role url thumbnailUrl takenAt exifPosition { lat lon } checks { code severity messageZh messageEn }`;

function reasons(): string[] {
  const saved: string[] = JSON.parse(localStorage.getItem(REASONS_KEY) ?? "[]");
  return [...saved, ...DEFAULT_REASONS[lang].filter((r) => !saved.includes(r))].slice(0, 9);
}
function remember(reason: string) {
  const saved: string[] = JSON.parse(localStorage.getItem(REASONS_KEY) ?? "[]");
  localStorage.setItem(REASONS_KEY, JSON.stringify([reason, ...saved.filter((r) => r !== reason)].slice(0, 9)));
}

function PhotoMap({ site, photos }: { site: { lat: number; lon: number } | null; photos: { label: string; p: { lat: number; lon: number } | null }[] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const map = createMap(el.current!, {});
    const pts: [number, number][] = [];
    const mark = (cls: string, text: string, lon: number, lat: number) => {
      const d = document.createElement("div");
      d.className = `pin ${cls}`;
      d.textContent = text;
      new maplibregl.Marker({ element: d }).setLngLat([lon, lat]).addTo(map);
      d.setAttribute("aria-label", d.textContent ?? ""); // MapLibre names every marker "Map marker"
      pts.push([lon, lat]);
    };
    if (site) mark("site", t("site"), site.lon, site.lat);
    for (const ph of photos) if (ph.p) mark("shot", ph.label, ph.p.lon, ph.p.lat);
    if (pts.length) {
      const b = pts.reduce((b, p) => b.extend(p), new maplibregl.LngLatBounds(pts[0], pts[0]));
      map.fitBounds(b, { padding: 50, maxZoom: 16, duration: 0 });
    }
    return () => map.remove();
  }, [JSON.stringify([site, photos])]);
  return <div ref={el} class="photomap" role="region" aria-label={t("photoPositions")} />;
}

export function ReviewPage({ me }: { me: Me }) {
  useLang();
  const [queue, setQueue] = useState<any[]>([]);
  const [error, setError] = useState<any>(null);
  const [sel, setSel] = useState<string | null>(null);
  const [task, setTask] = useState<any>(null);
  const [zoom, setZoom] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [notice, setNotice] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const reasonEl = useRef<HTMLTextAreaElement>(null);

  async function loadQueue() {
    try {
      const all: any[] = [];
      let after: string | null = null;
      do {
        const d: any = await gql(`query($after: String) { tasks(filter: {status: [SUBMITTED]}, first: 200, after: $after) {
          pageInfo { hasNextPage endCursor } edges { node { id code title district { name nameEn }
          latestSubmission { id submittedAt submittedBy { displayName } } } } } }`, { after });
        all.push(...d.tasks.edges.map((e: any) => e.node));
        after = d.tasks.pageInfo.hasNextPage ? d.tasks.pageInfo.endCursor : null;
      } while (after);
      all.sort((a, b) => (a.latestSubmission?.submittedAt ?? "").localeCompare(b.latestSubmission?.submittedAt ?? ""));
      setQueue(all);
      setError(null);
      setSel((s) => s ?? all[0]?.id ?? null);
    } catch (e) { setError(e); }
  }

  async function loadTask(id: string) {
    const d = await gql<any>(`query($id: ID!) { task(id: $id) { id code title kind status deadline createdAt description
      district { name nameEn } outfall { id code name ${loc()} { lat lon } } ${loc()} { lat lon }
      submissions { id submittedAt status note submittedBy { displayName }
        review { decision reason reviewedAt reviewer { displayName username } }
        checks { code severity messageZh messageEn } before { ${MEDIA} } after { ${MEDIA} } } } }`, { id });
    setTask(d.task);
  }

  useEffect(() => { loadQueue(); }, []);
  useEffect(() => { setRejecting(false); setZoom(null); setTask(null); if (sel) loadTask(sel); }, [sel]);

  const selRef = useRef(sel);
  selRef.current = sel;
  useEffect(() => onTaskEvents("id status", (e) => {
    loadQueue();
    if (e.task.id === selRef.current && (e.type === "APPROVED" || e.type === "REJECTED")) loadTask(e.task.id);
  }), []);

  const sub = task?.submissions?.[task.submissions.length - 1] ?? null;
  const decidedByOther = sub?.review && !busy;

  async function decide(decision: "APPROVE" | "REJECT") {
    if (!sub || busy) return;
    if (decision === "REJECT" && !reason.trim()) { setRejecting(true); setTimeout(() => reasonEl.current?.focus()); return; }
    setBusy(true);
    try {
      await gql(`mutation($i: ReviewSubmissionInput!) { reviewSubmission(input: $i) { id status } }`,
                { i: { submissionId: sub.id, decision, reason: decision === "REJECT" ? reason.trim() : null } });
      if (decision === "REJECT") remember(reason.trim());
      setReason("");
      setNotice(`${task.code} · ${t(decision === "APPROVE" ? "approved" : "rejected")}`);
      const i = queue.findIndex((q) => q.id === sel);
      const next = queue[i + 1]?.id ?? queue[i - 1]?.id ?? null;
      setQueue((q) => q.filter((x) => x.id !== sel));
      setSel(next);
    } catch (e) {
      // Someone else may have decided it a moment ago: show who and what, not an error.
      if (["CONFLICT", "INVALID_STATE"].includes((e as ApiError).code)) await loadTask(task.id);
      else setNotice(`${t("error")}: ${(e as ApiError).message}`);
    } finally {
      setBusy(false);
    }
  }

  const idx = queue.findIndex((q) => q.id === sel);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT" || e.ctrlKey || e.metaKey || e.altKey) return;
      const k = e.key.toLowerCase();
      if (k === "j" && idx < queue.length - 1) setSel(queue[idx + 1].id);
      else if (k === "k" && idx > 0) setSel(queue[idx - 1].id);
      else if (k === "a") decide("APPROVE");
      else if (k === "r") { e.preventDefault(); setRejecting(true); setTimeout(() => reasonEl.current?.focus()); }
      else if (k === "z") setZoom((z) => (z ? null : "both"));
      else if (/^[1-9]$/.test(k) && rejecting) setReason(reasons()[Number(k) - 1] ?? reason);
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  if (me.role !== "SUPERVISOR") return <div class="pad"><ErrorBox error={{ code: "FORBIDDEN", message: me.role }} /></div>;
  const msg = (c: any) => (lang === "en" ? c.messageEn : c.messageZh);
  const photos = sub ? [...sub.before.map((m: any, i: number) => ({ ...m, label: `${t("before")} ${i + 1}` })),
                        ...sub.after.map((m: any, i: number) => ({ ...m, label: `${t("after")} ${i + 1}` }))] : [];
  return (
    <div class="review">
      <aside class="queue" aria-label={t("queue")}>
        <h2>{t("queue")} <span class="muted" data-testid="queue-count">{queue.length}</span></h2>
        <p class="muted small">{t("oldestFirst")}</p>
        {error && <ErrorBox error={error} onRetry={loadQueue} />}
        {!queue.length && <p class="muted">{t("noQueue")}</p>}
        <ol>{queue.map((q) => (
          <li><button class={`qitem ${q.id === sel ? "sel" : ""}`} aria-current={q.id === sel} data-task={q.code} onClick={() => setSel(q.id)}>
            <b>{q.code}</b> {q.title}<br /><span class="muted small">{nm(q.district)} · {fmtTime(q.latestSubmission?.submittedAt)}</span></button></li>))}</ol>
        <p class="muted small">{t("shortcuts")}</p>
      </aside>
      <main class="desk">
        {notice && <p class="notice" role="status">{notice}</p>}
        {!task && sel && <p>{t("loading")}</p>}
        {!sel && <p class="muted">{t("selectSubmission")}</p>}
        {task && sub && (
          <div>
            <header class="pagehead"><h1>{task.code} {task.title}</h1>
              <span class="muted">{nm(task.district)} · {task.outfall ? `${task.outfall.code} ${task.outfall.name}` : ""} · {sub.submittedBy.displayName} · {fmtTime(sub.submittedAt)}</span></header>
            {decidedByOther && <p class="decided" role="alert" data-testid="already-decided">{t("alreadyDecided", {
              who: sub.review.reviewer.displayName, decision: t(sub.review.decision === "APPROVE" ? "approved" : "rejected") + (sub.review.reason ? ` (${sub.review.reason})` : "") })}</p>}
            <div class="compare">
              <figure><figcaption>{t("before")}</figcaption>{sub.before.map((m: any) =>
                <ZoomPhoto src={m.url} alt={t("before")} zoomed={zoom === "both" || zoom === m.id} onToggle={() => setZoom(zoom ? null : m.id)} />)}</figure>
              <figure><figcaption>{t("after")}</figcaption>{sub.after.map((m: any) =>
                <ZoomPhoto src={m.url} alt={t("after")} zoomed={zoom === "both" || zoom === m.id} onToggle={() => setZoom(zoom ? null : m.id)} />)}</figure>
            </div>
            <div class="cols">
              <section class="card"><h2>{t("checks")}</h2>
                <ul class="checks" data-testid="checks">
                  {photos.flatMap((m: any) => m.checks.map((c: any) => <li class={`sev-${c.severity}`}><b>{t(c.severity)}</b> {m.label}: {msg(c)}</li>))}
                  {sub.checks.filter((c: any) => !photos.some((m: any) => m.checks.some((x: any) => x.code === c.code)))
                    .map((c: any) => <li class={`sev-${c.severity}`}><b>{t(c.severity)}</b> {msg(c)}</li>)}
                  {!sub.checks.length && !photos.some((m: any) => m.checks.length) && <li class="sev-OK">✓ {t("none")}</li>}
                </ul>
                {sub.note && <p>{t("description")}: {sub.note}</p>}
              </section>
              <section class="card"><h2>{t("photoPositions")}</h2>
                <PhotoMap site={task.outfall?.location ?? task.location} photos={photos.map((m: any) => ({ label: m.label, p: m.exifPosition }))} />
              </section>
            </div>
            {!sub.review && (
              <div class="decide">
                <button class="primary" disabled={busy} onClick={() => decide("APPROVE")} data-action="approve">{t("approve")} (A)</button>
                <button class="danger" disabled={busy} onClick={() => decide("REJECT")} data-action="reject">{t("reject")} (R)</button>
                {rejecting && (
                  <div class="rejectbox">
                    <label>{t("rejectReason")}<textarea ref={reasonEl} name="reason" rows={2} value={reason}
                      onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
                      onKeyDown={(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) decide("REJECT"); if (e.key === "Escape") (e.target as HTMLElement).blur(); }} /></label>
                    <p class="muted small">{t("reuseReason")} (Ctrl+Enter)</p>
                    <div class="reasons">{reasons().map((r, i) => <button type="button" onClick={() => setReason(r)}>{i + 1}. {r}</button>)}</div>
                  </div>)}
              </div>)}
          </div>)}
      </main>
    </div>
  );
}
