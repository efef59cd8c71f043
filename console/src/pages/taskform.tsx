// A supervisor creates a task for an outfall (from the map or the profile).
import { useState } from "preact/hooks";
import { gql, type ApiError } from "../api";
import { t } from "../i18n";

const KINDS = ["ILLEGAL_DISCHARGE", "EXCEEDANCE", "FLOATING_DEBRIS", "RIVERBANK_GARBAGE", "SIGNBOARD", "OUTFALL_REMEDIATION", "OTHER"];

export function TaskForm({ outfall, onClose }: { outfall: any; onClose: (done: boolean) => void }) {
  const [err, setErr] = useState("");
  const [busy, setBusy] = useState(false);
  const [clientId] = useState(() => crypto.randomUUID()); // a retried click creates the task once
  const inWeek = new Date(Date.now() + 7 * 86_400_000);
  const local = new Date(inWeek.getTime() - inWeek.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    try {
      await gql(`mutation($i: CreateTaskInput!) { createTask(input: $i) { id code } }`, { i: {
        clientId, kind: f.get("kind"), source: "MANUAL", title: f.get("title"), description: f.get("description") || null,
        districtCode: outfall.district.code, outfallId: outfall.id, deadline: new Date(String(f.get("deadline"))).toISOString() } });
      onClose(true);
    } catch (x) {
      setErr((x as ApiError).message);
      setBusy(false);
    }
  }
  return (
    <div class="modal" role="dialog" aria-modal="true" aria-label={t("createTask")} onKeyDown={(e) => e.key === "Escape" && onClose(false)}>
      <form class="card" onSubmit={submit}>
        <h2>{t("createTask")} · {outfall.code} {outfall.name}</h2>
        <label>{t("kind")}<select name="kind">{KINDS.map((k) => <option value={k}>{t(k)}</option>)}</select></label>
        <label>{t("title")}<input name="title" required maxLength={200} autofocus /></label>
        <label>{t("deadline")}<input name="deadline" type="datetime-local" required value={local} /></label>
        <label>{t("description")}<textarea name="description" rows={3} /></label>
        {err && <p class="error" role="alert">{err}</p>}
        <div class="row"><button class="primary" type="submit" disabled={busy}>{t("save")}</button>
          <button type="button" onClick={() => onClose(false)}>{t("cancel")}</button></div>
      </form>
    </div>
  );
}
