// Small pieces the life cards share: an action's busy/error state, an inline form that Esc closes,
// and the reason box a rejection needs.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ApiError } from "../api";
import { t } from "../i18n";

/** Runs one write; shows its error (the server's message names the field) until the next try. */
export function useAction(after: () => void) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState("");
  async function run(fn: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setErr("");
    try {
      await fn();
      setBusy(false);
      after();
      return true;
    } catch (x) {
      const e = x as ApiError;
      setErr(e.field ? `${e.field}: ${e.message}` : e.message);
      setBusy(false);
      return false;
    }
  }
  return { busy, err, run, setErr };
}

export function Err({ msg }: { msg: string }) {
  return msg ? <p class="error" role="alert">{msg}</p> : null;
}

/** An inline form inside a card: labelled, Esc cancels, the submit button says what it does. */
export function InlineForm({ label, onSubmit, onCancel, busy, err, submit, children, testid }: {
  label: string; onSubmit: (f: FormData) => void; onCancel: () => void; busy: boolean; err: string; submit: string;
  children: ComponentChildren; testid?: string;
}) {
  const ref = useRef<HTMLFormElement>(null);
  // The first field takes the focus when the form opens (autofocus only works on a page's first load).
  useEffect(() => { ref.current?.querySelector<HTMLElement>("input:not([type=radio]), select, textarea")?.focus(); }, []);
  return (
    <form class="lifeform" aria-label={label} data-testid={testid} ref={ref}
          onSubmit={(e) => { e.preventDefault(); onSubmit(new FormData(e.currentTarget as HTMLFormElement)); }}
          onKeyDown={(e) => { if (e.key === "Escape") { e.stopPropagation(); onCancel(); } }}>
      <h3>{label}</h3>
      {children}
      <Err msg={err} />
      <div class="row">
        <button class="primary" type="submit" disabled={busy}>{submit}</button>
        <button type="button" onClick={onCancel}>{t("cancel")}</button>
      </div>
    </form>
  );
}

/** Approve / reject with a reason: the reason box opens on reject and must not be empty. */
export function DecideButtons({ approveLabel, rejectLabel, onApprove, onReject, busy, err, name }: {
  approveLabel: string; rejectLabel: string; onApprove: () => void; onReject: (reason: string) => void;
  busy: boolean; err: string; name: string;
}) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [need, setNeed] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => { if (rejecting) box.current?.focus(); }, [rejecting]);
  return (
    <div class="decidebox">
      {!rejecting && <div class="row">
        <button class="primary" data-action={`${name}-approve`} disabled={busy} onClick={onApprove}>{approveLabel}</button>
        <button class="danger" data-action={`${name}-reject`} disabled={busy} onClick={() => setRejecting(true)}>{rejectLabel}</button>
      </div>}
      {rejecting && <form aria-label={rejectLabel} onSubmit={(e) => { e.preventDefault(); if (!reason.trim()) { setNeed(true); return; } onReject(reason.trim()); }}
                          onKeyDown={(e) => { if (e.key === "Escape") setRejecting(false); }}>
        <label>{t("reason")}<textarea name={`${name}-reason`} rows={2} value={reason} ref={box}
                                      onInput={(e) => { setReason((e.target as HTMLTextAreaElement).value); setNeed(false); }} /></label>
        {need && <p class="error" role="alert">{t("rejectReasonRequired")}</p>}
        <div class="row">
          <button class="danger" type="submit" data-action={`${name}-reject-confirm`} disabled={busy}>{rejectLabel}</button>
          <button type="button" onClick={() => setRejecting(false)}>{t("cancel")}</button>
        </div>
      </form>}
      <Err msg={err} />
    </div>
  );
}
