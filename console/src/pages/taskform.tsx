// A supervisor creates a task for an outfall (from the map or the profile).
import { useEffect, useState } from "preact/hooks";
import { gql, type ApiError } from "../api";
import { nm, t } from "../i18n";
import { reference, type Named } from "../reference";

const KINDS = ["ILLEGAL_DISCHARGE", "EXCEEDANCE", "FLOATING_DEBRIS", "RIVERBANK_GARBAGE", "SIGNBOARD", "OUTFALL_REMEDIATION", "OTHER"];

/** For an outfall, or for a point on the map (WGS-84; the server takes the district of the nearest outfall). */
export function TaskForm({ outfall, point, onClose }: { outfall?: any; point?: { lat: number; lon: number };
                                                       onClose: (done: boolean, task?: { id: string; code: string }) => void }) {
  const [err, setErr] = useState("");
  const [busy, setBusy] = useState(false);
  const [clientId] = useState(() => crypto.randomUUID()); // a retried click creates the task once
  const [districts, setDistricts] = useState<Named[]>([]);
  useEffect(() => { if (point) reference().then((r) => setDistricts(r.districts)); }, []);
  const inWeek = new Date(Date.now() + 7 * 86_400_000);
  const local = new Date(inWeek.getTime() - inWeek.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    try {
      const where = outfall ? { districtCode: outfall.district.code, outfallId: outfall.id }
                            : { location: { lat: point!.lat, lon: point!.lon }, districtCode: f.get("district") || null };
      const d = await gql<any>(`mutation($i: CreateTaskInput!) { createTask(input: $i) { id code } }`, { i: {
        clientId, kind: f.get("kind"), source: "MANUAL", title: f.get("title"), description: f.get("description") || null,
        ...where, deadline: new Date(String(f.get("deadline"))).toISOString() } });
      onClose(true, d.createTask);
    } catch (x) {
      setErr((x as ApiError).message);
      setBusy(false);
    }
  }
  return (
    <div class="modal" role="dialog" aria-modal="true" aria-label={t("createTask")} onKeyDown={(e) => e.key === "Escape" && onClose(false)}>
      <form class="card" onSubmit={submit}>
        <h2>{t("createTask")} · {outfall ? `${outfall.code} ${outfall.name}` : `${point!.lat.toFixed(5)}, ${point!.lon.toFixed(5)}`}</h2>
        <label>{t("kind")}<select name="kind">{KINDS.map((k) => <option value={k}>{t(k)}</option>)}</select></label>
        <label>{t("title")}<input name="title" required maxLength={200} autofocus /></label>
        {point && <label>{t("district")}<select name="district"><option value="">{t("nearestDistrict")}</option>
          {districts.map((d) => <option value={d.code}>{nm(d)}</option>)}</select></label>}
        <label>{t("deadline")}<input name="deadline" type="datetime-local" required value={local} /></label>
        <label>{t("description")}<textarea name="description" rows={3} /></label>
        {err && <p class="error" role="alert">{err}</p>}
        <div class="row"><button class="primary" type="submit" disabled={busy}>{t("save")}</button>
          <button type="button" onClick={() => onClose(false)}>{t("cancel")}</button></div>
      </form>
    </div>
  );
}
