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
// Each check with what backs it: the photos it compares (shown side by side), the positions it measured.
const CHECK = () => `code severity messageZh messageEn mediaId relatedMedia { id url thumbnailUrl }
  positions${config.tileCrs === "GCJ02" ? "(crs: GCJ02)" : ""} { label lat lon } distanceM reuse { wordsZh wordsEn }`;
const MEDIA = () => `id role url thumbnailUrl takenAt exifPosition { lat lon } checks { ${CHECK()} }`;

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

const km = (m: number) => (m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`);

/** A check's own map: where the photo was taken and the site, joined, framed so both show. */
function CheckMap({ positions, distanceM }: { positions: { label: string; lat: number; lon: number }[]; distanceM: number | null }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const map = createMap(el.current!, { interactive: false });
    const pts = positions.map((p) => [p.lon, p.lat] as [number, number]);
    for (const p of positions) {
      const d = document.createElement("div");
      d.className = `pin ${p.label === "site" ? "site" : "shot"}`; // the colours of the desk's photo map
      d.textContent = t(p.label === "site" ? "site" : "photoTaken");
      d.dataset.label = p.label;
      new maplibregl.Marker({ element: d }).setLngLat([p.lon, p.lat]).addTo(map);
      d.setAttribute("aria-label", d.textContent ?? "");
    }
    map.on("load", () => map.addLayer({ id: "apart", type: "line", paint: { "line-color": "#1b2733", "line-width": 2, "line-dasharray": [2, 2] },
      source: { type: "geojson", data: { type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: pts } } } }));
    const b = pts.reduce((b, p) => b.extend(p), new maplibregl.LngLatBounds(pts[0], pts[0]));
    map.fitBounds(b, { padding: 40, maxZoom: 16, duration: 0 });
    return () => map.remove();
  }, [JSON.stringify(positions)]);
  return (
    <div>
      <div ref={el} class="checkmap" data-testid="check-map" data-positions={JSON.stringify(positions)} role="region"
           aria-label={`${t("photoTaken")} · ${t("site")}`} />
      {distanceM != null && <span class="small">{t("apart", { d: km(distanceM) })}</span>}
    </div>
  );
}

/** The evidence under a check's words: the photos it compares side by side (the one it judges first), what
 * was done to a reused photo, and a distance's two positions on a map. */
function CheckEvidence({ c, names, thumbs }: { c: any; names: Map<string, string>; thumbs: Map<string, any> }) {
  const ids: string[] = [...(c.mediaId ? [c.mediaId] : []), ...c.relatedMedia.map((r: any) => r.id).filter((i: string) => i !== c.mediaId)];
  const pics = ids.map((id) => ({ id, m: thumbs.get(id) ?? c.relatedMedia.find((r: any) => r.id === id) })).filter((p) => p.m);
  const words = c.reuse ? (lang === "en" ? c.reuse.wordsEn : c.reuse.wordsZh) : null;
  if (pics.length < 2 && c.positions.length < 2) return null;
  return (
    <div class="evidence" aria-label={t("checkEvidence")}>
      {pics.length >= 2 && (
        <div class="pair" data-testid="evidence-pair" data-code={c.code} data-ids={pics.map((p) => p.id).join(",")}>
          {pics.map((p) => {
            const name = names.get(p.id) ?? t("storedPhoto", { id: p.id });
            return (
              <figure><a href={p.m.url ?? p.m.thumbnailUrl} target="_blank" rel="noopener">
                <img src={p.m.thumbnailUrl ?? p.m.url} alt={name} /></a><figcaption>{name}</figcaption></figure>);
          })}
        </div>)}
      {words && <p class="edits small" data-testid="reuse-edits">{t("whatWasDone", { edits: words.join(lang === "en" ? ", " : "，") || t("reencoded") })}</p>}
      {c.positions.length >= 2 && <CheckMap positions={c.positions} distanceM={c.distanceM} />}
    </div>
  );
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
        checks { ${CHECK()} } before { ${MEDIA()} } after { ${MEDIA()} } }
      media { id } raisedBy { media { id } } } }`, { id });
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
  // What each photo a check may name is called here: the submission's, then the task's finding photos.
  const names = new Map<string, string>(photos.map((m: any) => [m.id, m.label]));
  const thumbs = new Map<string, any>(photos.map((m: any) => [m.id, m]));
  const findings = [...(task?.raisedBy?.media ?? []), ...(task?.media ?? [])];
  findings.forEach((m: any, i: number) => { if (!names.has(m.id)) names.set(m.id, `${t("finding")} ${i + 1}`); });
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
                  {photos.flatMap((m: any) => m.checks.map((c: any) => <li class={`sev-${c.severity}`} data-code={c.code}><b>{t(c.severity)}</b> {m.label}: {msg(c)}
                    <CheckEvidence c={c} names={names} thumbs={thumbs} /></li>))}
                  {sub.checks.filter((c: any) => !photos.some((m: any) => m.checks.some((x: any) => x.code === c.code)))
                    .map((c: any) => <li class={`sev-${c.severity}`} data-code={c.code}><b>{t(c.severity)}</b> {msg(c)}
                      <CheckEvidence c={c} names={names} thumbs={thumbs} /></li>)}
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
