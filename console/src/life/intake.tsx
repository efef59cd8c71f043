// 受理: a task from a public complaint (12345 hotline, WeChat), a river chief (河长交办) or an inspection team
// (督察交办), with the channel's reference number; the same reference twice is refused naming the task.
import { useEffect, useState } from "preact/hooks";
import { gql, type ApiError } from "../api";
import { nm, t } from "../i18n";
import { reference, type Named } from "../reference";
import type { Me } from "../session";
import "./strings";
import "./life.css";

const KINDS = ["ILLEGAL_DISCHARGE", "EXCEEDANCE", "FLOATING_DEBRIS", "RIVERBANK_GARBAGE", "SIGNBOARD", "OUTFALL_REMEDIATION", "OTHER"];
export const CHANNEL_SOURCE: Record<string, string> = {
  HOTLINE_12345: "PUBLIC_COMPLAINT", WECHAT: "PUBLIC_COMPLAINT", RIVER_CHIEF: "RIVER_CHIEF", INSPECTION_TEAM: "INSPECTION_TEAM" };
const LEVELS = ["DISTRICT", "MUNICIPAL", "LISTED"];

export const canIntake = (me: Me) => ["SUPERVISOR", "ADMIN", "INSPECTOR"].includes(me.role);

export function IntakeForm({ me, onClose }: { me: Me; onClose: (task?: { id: string; code: string }) => void }) {
  const city = me.role === "SUPERVISOR" || me.role === "ADMIN";
  const [districts, setDistricts] = useState<Named[]>([]);
  const [err, setErr] = useState("");
  const [busy, setBusy] = useState(false);
  const [clientId] = useState(() => crypto.randomUUID());  // a retried click creates the task once
  useEffect(() => { reference().then((r) => setDistricts(r.districts)); }, []);
  const inWeek = new Date(Date.now() + 7 * 86_400_000);
  const local = new Date(inWeek.getTime() - inWeek.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const s = (k: string) => String(f.get(k) ?? "").trim();
    setErr("");
    setBusy(true);
    try {
      const channel = s("channel");
      const where: any = {};
      if (s("outfallCode")) {
        const d = await gql<any>(`query($c: String!) { outfall(code: $c) { id district { code } } }`, { c: s("outfallCode") });
        if (!d.outfall) throw { message: `${t("outfallCode")}: ${t("noSuchOutfall")}` };
        where.outfallId = d.outfall.id;
        where.districtCode = d.outfall.district.code;
      } else if (s("lat") && s("lon")) {
        where.location = { lat: Number(s("lat")), lon: Number(s("lon")) };
        where.districtCode = s("district") || (city ? null : me.district?.code ?? null);
      } else {
        throw { message: t("needOutfallOrPlace") };
      }
      const d = await gql<any>(`mutation($i: CreateTaskInput!) { createTask(input: $i) { id code } }`, { i: {
        clientId, kind: s("kind"), source: CHANNEL_SOURCE[channel], title: s("title"), description: s("description") || null,
        intake: { channel, reference: s("reference") }, supervisionLevel: city ? s("level") : null,
        deadline: new Date(s("deadline")).toISOString(), ...where } });
      onClose(d.createTask);
    } catch (x) {
      const e = x as ApiError;
      setErr(e.field ? `${e.field}: ${e.message}` : e.message);
      setBusy(false);
    }
  }
  return (
    <div class="modal" role="dialog" aria-modal="true" aria-label={t("fromComplaint")} onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <form class="card intakeform" onSubmit={submit} data-testid="intake-form">
        <h2>{t("fromComplaint")}</h2>
        <div class="row">
          <label>{t("intakeChannel")}<select name="channel" autofocus>
            {Object.keys(CHANNEL_SOURCE).map((c) => <option value={c}>{t(`chan.${c}`)}</option>)}</select></label>
          <label>{t("intakeRef")}<input name="reference" required maxLength={64} /></label>
        </div>
        <label>{t("title")}<input name="title" required maxLength={200} /></label>
        <div class="row">
          <label>{t("kind")}<select name="kind">{KINDS.map((k) => <option value={k}>{t(k)}</option>)}</select></label>
          {city && <label>{t("supervisionLevel")}<select name="level">{LEVELS.map((l) => <option value={l}>{t(`lvl.${l}`)}</option>)}</select></label>}
        </div>
        <label>{t("outfallCode")}<input name="outfallCode" maxLength={40} /></label>
        <fieldset class="inline"><legend>{t("orLocation")}</legend>
          <label>{t("latitude")}<input name="lat" type="number" step="any" min={-90} max={90} /></label>
          <label>{t("longitude")}<input name="lon" type="number" step="any" min={-180} max={180} /></label>
          {city && <label>{t("district")}<select name="district"><option value="">{t("nearestDistrict")}</option>
            {districts.map((d) => <option value={d.code}>{nm(d)}</option>)}</select></label>}
        </fieldset>
        <label>{t("deadline")}<input name="deadline" type="datetime-local" required defaultValue={local} /></label>
        <label>{t("description")}<textarea name="description" rows={3} /></label>
        {err && <p class="error" role="alert">{err}</p>}
        <div class="row"><button class="primary" type="submit" disabled={busy}>{t("save")}</button>
          <button type="button" onClick={() => onClose()}>{t("cancel")}</button></div>
      </form>
    </div>
  );
}

/** Where a task came from and who supervises it, for the ledger's rows and the task page. */
export function IntakeCell({ x }: { x: any }) {
  return (
    <span class="intake" data-testid="intake">
      {t(`src.${x.source}`)}
      {x.intakeChannel && <>{x.source === "PUBLIC_COMPLAINT" ? ` · ${t(`chan.${x.intakeChannel}`)}` : ""} <code>{x.intakeReference}</code></>}
    </span>
  );
}

export function LevelCell({ x }: { x: any }) {
  return <span class={`badge ${x.supervisionLevel === "LISTED" ? "bad" : x.supervisionLevel === "MUNICIPAL" ? "warn" : ""}`}
               data-testid="level" data-level={x.supervisionLevel}>{t(`lvl.${x.supervisionLevel}`)}</span>;
}
