// Small shared pieces: error boxes, countdowns, status badges, photos that zoom.
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "./api";
import { lang, t } from "./i18n";

export function ErrorBox({ error, onRetry }: { error: any; onRetry?: () => void }) {
  const code = (error as ApiError)?.code;
  const msg = code === "FORBIDDEN" ? t("forbidden") : code === "NOT_FOUND" ? t("notFound") : t("error");
  return (
    <div class="errorbox" role="alert" data-code={code}>
      <b>{msg}</b> <span class="muted">{(error as Error)?.message}</span>
      {onRetry && <button onClick={onRetry}>{t("retry")}</button>}
    </div>
  );
}

/** "2 d 3 h left" / "overdue by 5 h", refreshed every 30 s. */
export function Countdown({ deadline }: { deadline: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => { const h = setInterval(() => setNow(Date.now()), 30_000); return () => clearInterval(h); }, []);
  const ms = new Date(deadline).getTime() - now;
  const a = Math.abs(ms), d = Math.floor(a / 86_400_000), h = Math.floor((a % 86_400_000) / 3_600_000),
        m = Math.floor((a % 3_600_000) / 60_000);
  const span = lang === "zh" ? (d ? `${d}天${h}小时` : h ? `${h}小时${m}分` : `${m}分`) : (d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m`);
  return ms < 0 ? <span class="badge bad">{t("overdueBy")} {span}</span> : <span class={`badge ${d < 1 ? "warn" : ""}`}>{t("countdown")} {span}</span>;
}

export function Status({ s }: { s: string }) {
  return <span class={`badge st-${s}`}>{t(s)}</span>;
}

/** A photo that zooms on click (or Z), following the pointer, so before/after details can be compared. */
export function ZoomPhoto({ src, alt, zoomed, onToggle }: { src: string | null; alt: string; zoomed: boolean; onToggle: () => void }) {
  const [origin, setOrigin] = useState("50% 50%");
  if (!src) return <div class="photo empty">{t("none")}</div>;
  return (
    <button class={`photo ${zoomed ? "zoomed" : ""}`} onClick={onToggle} aria-pressed={zoomed} aria-label={`${alt} · ${t("zoom")}`}
            onMouseMove={(e) => { const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
                                  setOrigin(`${((e.clientX - r.left) / r.width) * 100}% ${((e.clientY - r.top) / r.height) * 100}%`); }}>
      <img src={src} alt={alt} style={{ transformOrigin: origin }} />
    </button>
  );
}
