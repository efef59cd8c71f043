// 画像 · the outfall's life as the rules define it (issue 19): where it stands (suspected → verified →
// traced → plan → accepted → 销号), its applicable standard, receiving water, approval or registration,
// tracing records and its one plan, with each action shown only to the roles the server allows.
import { useEffect, useRef, useState } from "preact/hooks";
import { gql } from "../api";
import { fmtTime, lang, nm, t } from "../i18n";
import { pname } from "../params";
import { reference } from "../reference";
import { useAsync } from "../hooks";
import type { Me } from "../session";
import { DecideButtons, Err, InlineForm, useAction } from "./forms";
import { uploadPhoto } from "./upload";
import "./strings";
import "./life.css";

/** The fields of Outfall the life cards read (the profile asks for them in its one query). */
export const LIFE_FIELDS = `status phase phaseBasis verification nationalCode provincialCode publicUrl sitingFlag
  dischargeStandard dischargeGrade sectorStandard standardLabel suggestedStandard receivingTarget
  approvedLimits { parameter limitMax limitMin basis }
  receivingWater { reach { key name riverCode functionZone targetClass sources sourceTexts { key title urls } status } derived distanceM targetClass
    targetBasis zones { id name kind source radiusM } newOutfallProhibited }
  permitRequired permit { kind status documentNo authority decidedOn note
    changes { change documentNo authority decidedOn note at limits { parameter limitMax limitMin } } }
  mergedInto { id code name }
  tracingRecords { id status determined party { name uscc type contact } coParties { name uscc type } sources methods
    report undeterminedReason submittedAt reviewedAt reviewReason task { id code } }
  remediationPlan { id type status measures deadline onlineMonitoringRequired reviewReason createdAt submittedAt
    acceptedAt closedAt mergedInto { id code name } requiredItems missingItems
    evidence { item mediaIds inspectionId passed note recordedAt } }`;

const STANDARDS = ["UNASSIGNED", "GB8978", "GB18918", "GB18596", "DB50_848", "SECTOR", "STORMWATER"];
const GRADES: Record<string, string[]> = { GB8978: ["grade1", "grade2", "grade3"], GB18918: ["1A", "1B", "2", "3"] };
const PARAMS = ["COD", "BOD5", "NH3_N", "TP", "TN", "PH", "DO", "CODMN", "TURBIDITY", "CONDUCTIVITY", "WATER_TEMP", "FLOW"];
const CLASSES = ["I", "II", "III", "IV", "V"];
const PARTY_TYPES = ["ENTERPRISE", "INSTITUTION", "INDIVIDUAL", "LOCAL_GOVERNMENT", "OTHER"];
const METHODS = ["FIELD_SURVEY", "PIPE_INSPECTION", "DYE_TEST", "WATER_QUALITY", "RECORDS", "INTERVIEW", "OTHER"];
const PLAN_TYPES = ["BAN", "MERGE", "RECTIFY"];
const ZONE_KINDS = ["DRINKING_WATER_PROTECTION", "PROTECTED_III", "SWIMMING", "NATURE_RESERVE", "OTHER_SENSITIVE"];

/** What this user may do to this outfall: the permission table of docs/permissions.md, mirrored so the
 *  console offers only what the server would allow (the server still decides). */
export function mayDo(me: Me, o: any) {
  const city = me.role === "SUPERVISOR" || me.role === "ADMIN";
  const own = !!me.district && me.district.code === o.district.code;
  return {
    verify: (city || (me.role === "INSPECTOR" && own)) && o.verification === "SUSPECTED",
    decide: city,  // standard, receiving water, permit, the plan itself
    codes: me.role === "ADMIN",
    trace: (city || (["INSPECTOR", "DISTRICT_OFFICER"].includes(me.role) && own)) && o.verification !== "NOT_OUTFALL",
    reviewTrace: me.role === "SUPERVISOR",
    evidence: city || (me.role === "DISTRICT_OFFICER" && own),
    accept: me.role === "SUPERVISOR",
  };
}

/** GB 8978 grades are keys (grade1…); GB 18918 grades (1A, 1B, 2, 3) read as they are written. */
const gradeLabel = (g: string) => (t(`grade.${g}`) === `grade.${g}` ? g : t(`grade.${g}`));
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const str = (f: FormData, k: string) => { const v = String(f.get(k) ?? "").trim(); return v || null; };
const num = (f: FormData, k: string) => { const v = str(f, k); return v == null ? null : Number(v); };

function Steps({ me, o }: { me: Me; o: any }) {
  const plan = o.remediationPlan;
  // Integrators may not read tracing records (they name contacts): for them the phase tells.
  const traced = me.role === "INTEGRATOR" ? ["TRACED", "REMEDIATED"].includes(o.phase) && o.phaseBasis !== "LEGACY"
                                          : o.tracingRecords.some((r: any) => r.status === "APPROVED");
  const steps: [string, boolean][] = [
    ["SUSPECTED", true],
    ["VERIFIED", o.verification === "VERIFIED" || o.verification == null],
    ["TRACED", traced],
    ["PLANNED", !!plan],
    ["ACCEPTED", !!plan && ["ACCEPTED", "CLOSED_OUT"].includes(plan.status)],
    ["CLOSED_OUT", plan?.status === "CLOSED_OUT"],
  ];
  const last = steps.map(([, d]) => d).lastIndexOf(true);
  return (
    <ol class="lifesteps" aria-label={t("lifeSteps")} data-testid="life-steps">
      {steps.map(([k, d], i) => (
        <li class={d ? "done" : ""} data-step={k} data-done={d ? "1" : "0"} aria-current={i === last ? "step" : undefined}>
          <span aria-hidden="true">{d ? "✓ " : ""}</span>{k === "VERIFIED" && o.verification === "NOT_OUTFALL" ? t("ver.NOT_OUTFALL") : t(`step.${k}`)}
          <span class="sr">{d ? ` (${t("done")})` : ""}</span>
        </li>))}
    </ol>
  );
}

function VerifyCard({ me, o, reload }: { me: Me; o: any; reload: () => void }) {
  const may = mayDo(me, o);
  const a = useAction(reload);
  const verify = (outcome: string) => a.run(() => gql(`mutation($id: ID!, $o: VerifyOutcome!) { verifyOutfall(id: $id, outcome: $o) { id } }`,
                                                      { id: o.id, o: outcome }));
  return (
    <div class="verify" data-testid="verification" data-state={o.verification ?? "null"}>
      <b>{t("verification")}:</b> <span class={`badge ${o.verification === "SUSPECTED" ? "warn" : o.verification === "NOT_OUTFALL" ? "bad" : "ok"}`}>{t(`ver.${o.verification ?? "null"}`)}</span>
      {o.phaseBasis === "LEGACY" && <span class="badge warn" title={t("legacyPhase")}>LEGACY</span>}
      {o.status === "CLOSED" && <span class="badge bad" data-testid="outfall-closed">{t("outfallClosed")}</span>}
      {may.verify && <>
        <span class="muted small">{t("verifyHint")}</span>
        <button class="primary" data-action="verify" disabled={a.busy} onClick={() => verify("VERIFIED")}>{t("verifyAsOutfall")}</button>
        <button data-action="not-outfall" disabled={a.busy} onClick={() => verify("NOT_OUTFALL")}>{t("verifyNotOutfall")}</button>
      </>}
      <Err msg={a.err} />
    </div>
  );
}

function StandardCard({ me, o, reload }: { me: Me; o: any; reload: () => void }) {
  const may = mayDo(me, o);
  const [editing, setEditing] = useState(false);
  const [std, setStd] = useState(o.dischargeStandard);
  const [limits, setLimits] = useState<any[]>([]);
  const a = useAction(() => { setEditing(false); reload(); });
  function open() {
    setStd(o.dischargeStandard);
    setLimits(o.approvedLimits.map((l: any) => ({ ...l })));
    setEditing(true);
  }
  function save(f: FormData) {
    const approvedLimits = limits.map((_, i) => ({ parameter: f.get(`lp${i}`), limitMax: num(f, `lmax${i}`), limitMin: num(f, `lmin${i}`),
                                                   basis: str(f, `lb${i}`) }));
    a.run(() => gql(`mutation($id: ID!, $i: SetDischargeStandardInput!) { setDischargeStandard(id: $id, input: $i) { id } }`,
                    { id: o.id, i: { standard: std, grade: str(f, "grade"), sectorStandard: str(f, "sector"), approvedLimits } }));
  }
  return (
    <section class="card lifecard" aria-labelledby="std-h" data-testid="standard-card">
      <h2 id="std-h">{t("standardCard")}</h2>
      <dl class="facts">
        <dt>{t("standard")}</dt><dd data-testid="standard-label">{o.standardLabel}</dd>
        {o.dischargeGrade && <><dt>{t("grade")}</dt><dd>{gradeLabel(o.dischargeGrade)}</dd></>}
        {o.sectorStandard && <><dt>{t("sectorStandard")}</dt><dd>{o.sectorStandard}</dd></>}
        {o.suggestedStandard && o.suggestedStandard !== o.dischargeStandard &&
          <><dt>{t("suggested")}</dt><dd>{t(`std.${o.suggestedStandard}`)}</dd></>}
      </dl>
      {o.dischargeStandard === "UNASSIGNED" && <p class="badge warn">{t("stdUnassignedNote")}</p>}
      {o.dischargeStandard === "STORMWATER" && <p class="muted small">{t("stormNote")}</p>}
      {o.approvedLimits.length > 0 && <>
        <h3>{t("approvedLimits")}</h3>
        <table class="grid compact"><thead><tr><th>{t("parameter")}</th><th>{t("limitMax")}</th><th>{t("limitMin")}</th><th>{t("basis")}</th></tr></thead>
          <tbody>{o.approvedLimits.map((l: any) => <tr><td>{pname(l.parameter)}</td><td>{l.limitMax ?? "—"}</td><td>{l.limitMin ?? "—"}</td><td>{l.basis ?? ""}</td></tr>)}</tbody></table>
      </>}
      {may.decide && !editing && <button data-action="set-standard" onClick={open}>{t("setStandard")}</button>}
      {editing && <InlineForm label={t("setStandard")} submit={t("save")} busy={a.busy} err={a.err} onSubmit={save} onCancel={() => setEditing(false)}>
        <label>{t("standard")}<select name="standard" value={std} onChange={(e) => setStd((e.target as HTMLSelectElement).value)}>
          {STANDARDS.map((s) => <option value={s}>{t(`std.${s}`)}</option>)}</select></label>
        {GRADES[std] && <label>{t("grade")}<select name="grade">
          {GRADES[std].map((g) => <option value={g} selected={std === o.dischargeStandard && g === o.dischargeGrade}>{gradeLabel(g)}</option>)}</select></label>}
        {std === "DB50_848" && <label>{t("grade")}<input name="grade" maxLength={20} defaultValue={o.dischargeGrade ?? ""} /></label>}
        {std === "SECTOR" && <label>{t("sectorStandard")}<input name="sector" required maxLength={200} defaultValue={o.sectorStandard ?? ""} /></label>}
        <fieldset class="limits"><legend>{t("approvedLimits")}</legend>
          {limits.map((l, i) => (
            <div class="row limitrow">
              <label>{t("parameter")}<select name={`lp${i}`}>{PARAMS.map((p) => <option value={p} selected={p === l.parameter}>{pname(p)}</option>)}</select></label>
              <label>{t("limitMax")}<input name={`lmax${i}`} type="number" step="any" defaultValue={l.limitMax ?? ""} /></label>
              <label>{t("limitMin")}<input name={`lmin${i}`} type="number" step="any" defaultValue={l.limitMin ?? ""} /></label>
              <label>{t("basis")}<input name={`lb${i}`} maxLength={200} defaultValue={l.basis ?? ""} /></label>
              <button type="button" onClick={() => setLimits(limits.filter((_, j) => j !== i))}>{t("removeLimit")}</button>
            </div>))}
          <button type="button" onClick={() => setLimits([...limits, { parameter: "COD", limitMax: null, limitMin: null, basis: "" }])}>{t("addLimit")}</button>
        </fieldset>
      </InlineForm>}
    </section>
  );
}

/** Reach names are Chinese in the reference; an English reader also gets the river's English name. */
function reachName(reach: any, rivers: any[] | undefined) {
  const river = rivers?.find((r) => r.code === reach.riverCode);
  return lang === "en" && river ? `${reach.name} (${nm(river)})` : reach.name;
}

/** The reference states how far a reach's facts are confirmed in English prose; the reader gets it from the
 *  facts themselves: a target with a source, a water function zone, or neither. */
function reachStatus(reach: any) {
  const target = reach.targetClass && reach.sources.length ? t("reachTargetSourced") : t("reachTargetUnverified");
  return `${target}; ${reach.functionZone ? t("reachZoneKnown") : t("reachZoneUnverified")}`;
}

function ReceivingCard({ me, o, reload }: { me: Me; o: any; reload: () => void }) {
  const may = mayDo(me, o);
  const w = o.receivingWater;
  const [editing, setEditing] = useState(false);
  const [zone, setZone] = useState(false);
  const z = useAction(() => { setZone(false); reload(); });
  const reaches = useAsync(() => (editing ? gql<any>("{ receivingReaches { key name riverCode targetClass } }") : Promise.resolve(null)), [editing]);
  const a = useAction(() => { setEditing(false); reload(); });
  const rivers = useAsync(() => reference(), []);
  return (
    <section class="card lifecard" aria-labelledby="rw-h" data-testid="receiving-card">
      <h2 id="rw-h">{t("receivingCard")}</h2>
      <dl class="facts">
        <dt>{t("reach")}</dt><dd>{w.reach ? reachName(w.reach, rivers.data?.rivers) : "—"}
          {" "}<span class="muted small">{w.derived ? t("derived") : t("chosen")}{w.distanceM != null ? ` · ${t("distanceFromCourse")} ${w.distanceM} m` : ""}</span></dd>
        <dt>{t("functionZone")}</dt><dd>{w.reach?.functionZone ?? <span class="muted">{t("notConfirmed")}</span>}</dd>
        <dt>{t("targetClassOf")}</dt><dd data-testid="receiving-target">{w.targetClass ?? "—"} <span class="muted small">{t(`basis.${w.targetBasis}`)}</span></dd>
        {w.reach && <><dt>{t("sources")}</dt><dd class="small">{w.reach.sourceTexts.length ? <ul class="plain" data-testid="reach-sources">{w.reach.sourceTexts.map((x: any) =>
          <li title={x.key}>{x.urls.length ? <a href={x.urls[0]} target="_blank" rel="noopener">{x.title}</a> : x.title}</li>)}</ul> : "—"}
          {reachStatus(w.reach)}</dd></>}
        <dt>{t("zones")}</dt><dd>{w.zones.length ? <ul class="plain">{w.zones.map((z: any) =>
          <li>{z.name} · {t(`zone.${z.kind}`)} · {t("sources")}: {z.source}</li>)}</ul> : t("none")}</dd>
      </dl>
      {w.newOutfallProhibited && <p class="badge bad" data-testid="prohibited">{t("prohibited")}: {w.newOutfallProhibited}</p>}
      <div class="row wrap">
        {may.decide && !editing && <button data-action="set-receiving" onClick={() => setEditing(true)}>{t("setReceiving")}</button>}
        {may.decide && !zone && <button data-action="record-zone" onClick={() => setZone(true)}>{t("recordZone")}</button>}
      </div>
      {zone && <InlineForm label={t("recordZone")} submit={t("save")} busy={z.busy} err={z.err} onCancel={() => setZone(false)} testid="zone-form"
          onSubmit={(f) => z.run(() => gql(`mutation($i: RecordProtectedZoneInput!) { recordProtectedZone(input: $i) { id } }`, { i: {
            name: str(f, "zoneName"), kind: f.get("zoneKind"), center: { lat: num(f, "zoneLat"), lon: num(f, "zoneLon") },
            radiusM: num(f, "zoneRadius"), source: str(f, "zoneSource") } }))}>
        <label>{t("name")}<input name="zoneName" required maxLength={200} /></label>
        <label>{t("kind")}<select name="zoneKind">{ZONE_KINDS.map((k) => <option value={k}>{t(`zone.${k}`)}</option>)}</select></label>
        <div class="row">
          <label>{t("latitude")}<input name="zoneLat" type="number" step="any" required defaultValue={o.location.lat} /></label>
          <label>{t("longitude")}<input name="zoneLon" type="number" step="any" required defaultValue={o.location.lon} /></label>
          <label>{t("radiusM")}<input name="zoneRadius" type="number" step="any" min={1} required defaultValue={500} /></label>
        </div>
        <label>{t("zoneSource")}<input name="zoneSource" required maxLength={500} /></label>
      </InlineForm>}
      {editing && <InlineForm label={t("setReceiving")} submit={t("save")} busy={a.busy} err={a.err} onCancel={() => setEditing(false)}
                              onSubmit={(f) => a.run(() => gql(`mutation($id: ID!, $r: String, $c: WaterClass) { setReceivingWater(id: $id, reachKey: $r, waterClass: $c) { id } }`,
                                                               { id: o.id, r: str(f, "reach"), c: str(f, "waterClass") }))}>
        <label>{t("reach")}<select name="reach">
          <option value="">{t("deriveAgain")}</option>
          {(reaches.data?.receivingReaches ?? []).map((r: any) => <option value={r.key} selected={!w.derived && w.reach?.key === r.key}>{r.name} ({r.targetClass ?? "—"})</option>)}</select></label>
        <label>{t("targetClassOf")}<select name="waterClass">
          <option value="">—</option>{CLASSES.map((c) => <option value={c} selected={w.targetBasis === "OUTFALL" && w.targetClass === c}>{c}</option>)}</select></label>
      </InlineForm>}
    </section>
  );
}

function PermitCard({ me, o, reload }: { me: Me; o: any; reload: () => void }) {
  const may = mayDo(me, o);
  const p = o.permit;
  const [mode, setMode] = useState<"" | "record" | "cancel" | "codes">("");
  const a = useAction(() => { setMode(""); reload(); });
  const common = (
    <>
      <label>{t("documentNo")}<input name="documentNo" required maxLength={100} /></label>
      <label>{t("authority")}<input name="authority" required maxLength={200} /></label>
      <label>{t("decidedOn")}<input name="decidedOn" type="date" required defaultValue={today()} /></label>
      <label>{t("note")}<input name="note" maxLength={2000} /></label>
    </>);
  return (
    <section class="card lifecard" aria-labelledby="pm-h" data-testid="permit-card">
      <h2 id="pm-h">{t("permitCard")}</h2>
      <dl class="facts">
        <dt>{t("permitRequired")}</dt><dd>{t(`permit.${o.permitRequired}`)}</dd>
        {p ? <>
          <dt>{t(`permit.${p.kind}`)}</dt><dd data-testid="permit-status"><span class={`badge ${p.status === "IN_FORCE" ? "ok" : "bad"}`}>{t(`permitSt.${p.status}`)}</span></dd>
          <dt>{t("documentNo")}</dt><dd data-testid="permit-doc">{p.documentNo}</dd>
          <dt>{t("authority")}</dt><dd>{p.authority}</dd>
          <dt>{t("decidedOn")}</dt><dd>{p.decidedOn}</dd>
          {p.note && <><dt>{t("note")}</dt><dd>{p.note}</dd></>}
        </> : <><dt>{t("status")}</dt><dd class="muted">{t("noPermit")}</dd></>}
        <dt>{t("ownCode")}</dt><dd>{o.code}</dd>
        <dt>{t("nationalCode")}</dt><dd data-testid="national-code">{o.nationalCode ?? "—"}</dd>
        <dt>{t("provincialCode")}</dt><dd>{o.provincialCode ?? "—"}</dd>
      </dl>
      {p && p.changes.length > 1 && <ol class="history small">{p.changes.map((c: any) =>
        <li>{c.decidedOn} · {t(`change.${c.change}`)} · {c.documentNo} · {c.authority}{c.note ? ` · ${c.note}` : ""}</li>)}</ol>}
      <div class="row wrap">
        {may.decide && !mode && o.status === "ACTIVE" && <button data-action="record-permit" onClick={() => setMode("record")}>{p ? t("changePermit") : t("recordPermit")}</button>}
        {may.decide && !mode && p?.status === "IN_FORCE" && <button class="danger" data-action="cancel-permit" onClick={() => setMode("cancel")}>{t("cancelPermit")}</button>}
        {may.codes && !mode && <button data-action="set-codes" onClick={() => setMode("codes")}>{t("setCodes")}</button>}
      </div>
      {mode === "record" && <InlineForm label={p ? t("changePermit") : t("recordPermit")} submit={t("save")} busy={a.busy} err={a.err} onCancel={() => setMode("")}
          onSubmit={(f) => a.run(() => gql(`mutation($i: RecordOutfallPermitInput!) { recordOutfallPermit(input: $i) { status } }`, { i: {
            outfallId: o.id, kind: f.get("kind"), documentNo: str(f, "documentNo"), authority: str(f, "authority"),
            decidedOn: f.get("decidedOn"), note: str(f, "note") } }))}>
        <label>{t("kind")}<select name="kind">
          {["APPROVAL", "REGISTRATION"].map((k) => <option value={k} selected={k === (p?.kind ?? o.permitRequired)}>{t(`permit.${k}`)}</option>)}</select></label>
        {common}
      </InlineForm>}
      {mode === "cancel" && <InlineForm label={t("cancelPermit")} submit={t("cancelPermit")} busy={a.busy} err={a.err} onCancel={() => setMode("")}
          onSubmit={(f) => a.run(() => gql(`mutation($i: CancelOutfallPermitInput!) { cancelOutfallPermit(input: $i) { status } }`, { i: {
            outfallId: o.id, documentNo: str(f, "documentNo"), authority: str(f, "authority"), decidedOn: f.get("decidedOn"), note: str(f, "note") } }))}>
        <p class="badge warn">{t("cancelPermitWarn")}</p>
        {common}
      </InlineForm>}
      {mode === "codes" && <InlineForm label={t("setCodes")} submit={t("save")} busy={a.busy} err={a.err} onCancel={() => setMode("")}
          onSubmit={(f) => a.run(() => gql(`mutation($id: ID!, $n: String, $p: String) { setOutfallCodes(id: $id, nationalCode: $n, provincialCode: $p) { id } }`,
                                            { id: o.id, n: String(f.get("national") ?? "").trim(), p: String(f.get("provincial") ?? "").trim() }))}>
        <label>{t("nationalCode")}<input name="national" maxLength={64} defaultValue={o.nationalCode ?? ""} /></label>
        <label>{t("provincialCode")}<input name="provincial" maxLength={64} defaultValue={o.provincialCode ?? ""} /></label>
      </InlineForm>}
    </section>
  );
}

function TracingRecordView({ me, r, reload }: { me: Me; r: any; reload: () => void }) {
  const a = useAction(reload);
  const review = (decision: string, reason?: string) => a.run(() => gql(
    `mutation($id: ID!, $d: ReviewDecision!, $r: String) { reviewTracingRecord(id: $id, decision: $d, reason: $r) { id status } }`,
    { id: r.id, d: decision, r: reason ?? null }));
  const party = (p: any) => <>{p.name} <span class="muted">· {t(`party.${p.type}`)}</span>{p.uscc && <> · {t("uscc")} <code>{p.uscc}</code></>}</>;
  return (
    <li class={`tracing trace-${r.status}`} data-testid="tracing-record" data-status={r.status}>
      <div class="row wrap"><span class={`badge ${r.status === "APPROVED" ? "ok" : r.status === "REJECTED" ? "bad" : r.status === "SUBMITTED" ? "warn" : ""}`}>{t(`trace.${r.status}`)}</span>
        <span class="muted small">{t("submittedOn")} {fmtTime(r.submittedAt)}{r.reviewedAt ? ` · ${t("reviewedOn")} ${fmtTime(r.reviewedAt)}` : ""}</span>
        {r.task && <a href={`#/task/${r.task.id}`}>{t("answersTask")} {r.task.code}</a>}</div>
      <dl class="facts">
        <dt>{r.coParties.length ? t("mainParty") : t("party")}</dt><dd data-testid="tracing-party">{party(r.party)}{r.party.contact && <> · {t("contact")} {r.party.contact}</>}</dd>
        {r.coParties.length > 0 && <><dt>{t("coParties")}</dt><dd><ul class="plain">{r.coParties.map((c: any) => <li>{party(c)}</li>)}</ul></dd></>}
        {!r.determined && <><dt>{t("determined")}</dt><dd><b>{t("determinedNo")}</b> · {r.undeterminedReason} <span class="muted small">({t("governmentNote")})</span></dd></>}
        {r.sources.length > 0 && <><dt>{t("sources")}</dt><dd>{r.sources.join("；")}</dd></>}
        <dt>{t("methods")}</dt><dd>{r.methods.map((m: string) => t(`method.${m}`)).join("、")}</dd>
        {r.report && <><dt>{t("report")}</dt><dd class="prewrap">{r.report}</dd></>}
        {r.reviewReason && <><dt>{t("reason")}</dt><dd class={r.status === "REJECTED" ? "error" : ""} data-testid="tracing-reason">{r.reviewReason}</dd></>}
      </dl>
      {r.status === "SUBMITTED" && me.role === "SUPERVISOR" &&
        <DecideButtons name="tracing" approveLabel={t("approveTracing")} rejectLabel={t("rejectTracing")} busy={a.busy} err={a.err}
                       onApprove={() => review("APPROVE")} onReject={(why) => review("REJECT", why)} />}
    </li>
  );
}

function TracingCard({ me, o, tasks, reload }: { me: Me; o: any; tasks: any[]; reload: () => void }) {
  const may = mayDo(me, o);
  const [open, setOpen] = useState(false);
  const [determined, setDetermined] = useState(true);
  const [co, setCo] = useState(0);  // how many other parties (a shared outfall) the form asks for
  const openTasks = tasks.filter((x) => !["APPROVED", "CANCELLED"].includes(x.status));
  const a = useAction(() => { setOpen(false); reload(); });
  const [clientId, setClientId] = useState(() => crypto.randomUUID());  // a retried click records once
  function submit(f: FormData) {
    const i: any = { clientId, outfallId: o.id, determined, methods: f.getAll("methods"), report: str(f, "report"),
                     taskId: str(f, "taskId") };
    if (determined) {
      i.party = { name: str(f, "partyName"), type: f.get("partyType"), uscc: str(f, "uscc"), contact: str(f, "contact") };
      i.coParties = [...Array(co).keys()].map((k) => ({ name: str(f, `coName${k}`), type: f.get(`coType${k}`), uscc: str(f, `coUscc${k}`) }));
      i.sources = String(f.get("sources") ?? "").split("\n").map((s) => s.trim()).filter(Boolean);
    } else {
      i.undeterminedReason = str(f, "undeterminedReason");
    }
    a.run(async () => {
      await gql(`mutation($i: SubmitTracingRecordInput!) { submitTracingRecord(input: $i) { id } }`, { i });
      setClientId(crypto.randomUUID());
    });
  }
  const records = [...o.tracingRecords].reverse();
  return (
    <section class="card lifecard" aria-labelledby="tr-h" data-testid="tracing-card">
      <h2 id="tr-h">{t("tracingCard")}</h2>
      {me.role === "INTEGRATOR" ? <p class="muted">{t("tracingNotForRole")}</p>
       : records.length ? <ol class="plain records">{records.map((r: any) => <TracingRecordView me={me} r={r} reload={reload} />)}</ol>
                      : <p class="muted">{t("noTracing")}</p>}
      {may.trace && o.status === "ACTIVE" && !open && <button data-action="submit-tracing" onClick={() => setOpen(true)}>{t("submitTracing")}</button>}
      {open && <InlineForm label={t("submitTracing")} submit={t("submitTracing")} busy={a.busy} err={a.err} onSubmit={submit}
                           onCancel={() => setOpen(false)} testid="tracing-form">
        <fieldset class="inline"><legend>{t("determined")}</legend>
          <label class="check"><input type="radio" name="determined" checked={determined} onChange={() => setDetermined(true)} />{t("determinedYes")}</label>
          <label class="check"><input type="radio" name="determined" checked={!determined} onChange={() => setDetermined(false)} />{t("determinedNo")}</label>
        </fieldset>
        {determined ? <>
          <label>{t("party")}<input name="partyName" required maxLength={200} /></label>
          <label>{t("partyType")}<select name="partyType">{PARTY_TYPES.map((p) => <option value={p}>{t(`party.${p}`)}</option>)}</select></label>
          <label>{t("uscc")}<input name="uscc" maxLength={18} pattern="[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}" /></label>
          <label>{t("contact")}<input name="contact" maxLength={100} /></label>
          {[...Array(co).keys()].map((k) => (
            <fieldset class="inline coparty"><legend>{t("coParties")} {k + 1}</legend>
              <label>{t("name")}<input name={`coName${k}`} required maxLength={200} /></label>
              <label>{t("partyType")}<select name={`coType${k}`}>{PARTY_TYPES.map((p) => <option value={p}>{t(`party.${p}`)}</option>)}</select></label>
              <label>{t("uscc")}<input name={`coUscc${k}`} maxLength={18} /></label>
            </fieldset>))}
          <div class="row"><button type="button" data-action="add-coparty" onClick={() => setCo(co + 1)}>{t("addCoParty")}</button>
            {co > 0 && <button type="button" onClick={() => setCo(co - 1)}>{t("removeLimit")}</button>}</div>
          <label>{t("sewageSources")}<textarea name="sources" rows={2} required /></label>
        </> : <>
          <label>{t("undeterminedReason")}<textarea name="undeterminedReason" rows={2} required /></label>
          <p class="muted small">{t("governmentNote")}</p>
        </>}
        <fieldset class="inline"><legend>{t("methods")}</legend>
          {METHODS.map((m) => <label class="check"><input type="checkbox" name="methods" value={m} />{t(`method.${m}`)}</label>)}</fieldset>
        <label>{t("report")}<textarea name="report" rows={3} maxLength={4000} /></label>
        {openTasks.length > 0 && <label>{t("answersTask")}<select name="taskId"><option value="">—</option>
          {openTasks.map((x) => <option value={x.id}>{x.code} {x.title}</option>)}</select></label>}
      </InlineForm>}
    </section>
  );
}

function EvidencePhotos({ ids }: { ids: string[] }) {
  const { data } = useAsync(() => {
    if (!ids.length) return Promise.resolve({});
    const vars = Object.fromEntries(ids.map((id, i) => [`m${i}`, id]));
    return gql<any>(`query(${ids.map((_, i) => `$m${i}: ID!`).join(", ")}) { ${ids.map((_, i) => `m${i}: media(id: $m${i}) { id url thumbnailUrl takenAt }`).join(" ")} }`, vars);
  }, [ids.join(",")]);
  return <span class="thumbs">{Object.values(data ?? {}).filter((m: any) => m?.thumbnailUrl).map((m: any) =>
    <a href={m.url} target="_blank" rel="noopener"><img src={m.thumbnailUrl} alt={`${t("evidencePhotos")} ${fmtTime(m.takenAt)}`} /></a>)}</span>;
}

function EvidenceForm({ plan, item, inspections, onDone }: { plan: any; item: string; inspections: any[]; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState("");
  const a = useAction(() => { setOpen(false); onDone(); });
  const retests = inspections.filter((i) => i.observedAt >= plan.createdAt);
  function submit(f: FormData) {
    a.run(async () => {
      const input: any = { planId: plan.id, item, note: str(f, "note") };
      if (item === "PASSING_RETEST") input.inspectionId = f.get("inspection");
      else {
        const files = (f.getAll("photos") as File[]).filter((x) => x.size > 0);
        input.mediaIds = [];
        for (const [k, file] of files.entries()) {
          setStatus(`${t("uploading")} ${k + 1}/${files.length}`);
          input.mediaIds.push(await uploadPhoto(file));
        }
        setStatus("");
      }
      await gql(`mutation($i: RecordPlanEvidenceInput!) { recordPlanEvidence(input: $i) { id } }`, { i: input });
    });
  }
  if (!open) return <button class="small" data-action={`evidence-${item}`} onClick={() => setOpen(true)}>{t("recordEvidence")}</button>;
  return (
    <InlineForm label={`${t("recordEvidence")} · ${t(`item.${item}`)}`} submit={t("save")} busy={a.busy} err={a.err} onSubmit={submit}
                onCancel={() => setOpen(false)} testid={`evidence-form-${item}`}>
      {item === "PASSING_RETEST"
        ? (retests.length ? <label>{t("retestInspection")}<select name="inspection" required>{retests.map((i) =>
            <option value={i.id}>{fmtTime(i.observedAt)} · {i.inspector.displayName} · {i.measurements.map((m: any) => `${pname(m.parameter)} ${m.value}`).join(", ")}</option>)}</select></label>
          : <p class="muted">{t("noRetest")}</p>)
        : <label>{t("evidencePhotos")}<input type="file" name="photos" accept="image/jpeg,image/png" multiple required /></label>}
      <label>{t("note")}<input name="note" maxLength={2000} /></label>
      {status && <p class="muted" role="status">{status}</p>}
    </InlineForm>
  );
}

function PlanCard({ me, o, inspections, reload }: { me: Me; o: any; inspections: any[]; reload: () => void }) {
  const may = mayDo(me, o);
  const p = o.remediationPlan;
  const [creating, setCreating] = useState(false);
  const [type, setType] = useState("RECTIFY");
  const [confirmClose, setConfirmClose] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => { if (confirmClose) confirmRef.current?.focus(); }, [confirmClose]);
  const [clientId] = useState(() => crypto.randomUUID());
  const a = useAction(() => { setCreating(false); setConfirmClose(false); reload(); });
  async function create(f: FormData) {
    let mergedIntoId = null;
    if (type === "MERGE") {
      const code = str(f, "mergedInto");
      const d = await gql<any>(`query($c: String!) { outfall(code: $c) { id } }`, { c: code ?? "" }).catch(() => ({ outfall: null }));
      if (!d.outfall) { a.setErr(`${t("mergedInto")}: ${t("noSuchOutfall")}`); return; }
      mergedIntoId = d.outfall.id;
    }
    a.run(() => gql(`mutation($i: CreateRemediationPlanInput!) { createRemediationPlan(input: $i) { id } }`, { i: {
      clientId, outfallId: o.id, type, measures: str(f, "measures"), deadline: f.get("deadline"), mergedIntoId,
      onlineMonitoringRequired: f.get("monitoring") === "on" } }));
  }
  const call = (q: string, v: any) => a.run(() => gql(q, v));
  if (!p) return (
    <section class="card lifecard" aria-labelledby="pl-h" data-testid="plan-card">
      <h2 id="pl-h">{t("planCard")}</h2>
      <p class="muted">{t("noPlan")}</p>
      {may.decide && !creating && o.status === "ACTIVE" && o.verification !== "SUSPECTED" && o.verification !== "NOT_OUTFALL" &&
        <button class="primary" data-action="create-plan" onClick={() => setCreating(true)}>{t("createPlan")}</button>}
      {creating && <InlineForm label={t("createPlan")} submit={t("createPlan")} busy={a.busy} err={a.err} onSubmit={create}
                               onCancel={() => setCreating(false)} testid="plan-form">
        <label>{t("planType")}<select name="type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
          {PLAN_TYPES.map((k) => <option value={k}>{t(`plan.${k}`)}</option>)}</select></label>
        <label>{t("measures")}<textarea name="measures" rows={3} required maxLength={4000} /></label>
        <label>{t("deadline")}<input name="deadline" type="date" required min={today()}
                                      defaultValue={new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10)} /></label>
        {type === "MERGE" && <label>{t("mergedInto")}<input name="mergedInto" required maxLength={40} /></label>}
        {type === "RECTIFY" && <label class="check"><input type="checkbox" name="monitoring" />{t("onlineMonitoring")}</label>}
      </InlineForm>}
    </section>
  );
  const ev = new Map<string, any>(p.evidence.map((e: any) => [e.item, e]));
  const closeLabel = p.type === "BAN" ? t("closeOutBan") : p.type === "MERGE" ? t("closeOutMerge") : t("closeOutRectify");
  return (
    <section class="card lifecard" aria-labelledby="pl-h" data-testid="plan-card" data-status={p.status}>
      <h2 id="pl-h">{t("planCard")}</h2>
      <dl class="facts">
        <dt>{t("planType")}</dt><dd data-testid="plan-type">{t(`plan.${p.type}`)}</dd>
        <dt>{t("status")}</dt><dd><span class={`badge ${p.status === "SUBMITTED" ? "warn" : ["ACCEPTED", "CLOSED_OUT"].includes(p.status) ? "ok" : ""}`}
                                         data-testid="plan-status">{t(`planSt.${p.status}`)}</span></dd>
        <dt>{t("measures")}</dt><dd class="prewrap">{p.measures}</dd>
        <dt>{t("deadline")}</dt><dd>{p.deadline}</dd>
        {p.mergedInto && <><dt>{t("mergedInto")}</dt><dd><a href={`#/outfall/${p.mergedInto.id}`}>{p.mergedInto.code} {p.mergedInto.name}</a></dd></>}
        {p.type === "RECTIFY" && <><dt>{t("onlineMonitoring")}</dt><dd>{p.onlineMonitoringRequired ? t("yes") : t("no")}</dd></>}
        <dt>{t("history")}</dt><dd class="small">{t("created")} {fmtTime(p.createdAt)}{p.submittedAt ? ` · ${t("acceptanceAsked")} ${fmtTime(p.submittedAt)}` : ""}
          {p.acceptedAt ? ` · ${t("acceptedOn")} ${fmtTime(p.acceptedAt)}` : ""}{p.closedAt ? ` · ${t("closedOn")} ${fmtTime(p.closedAt)}` : ""}</dd>
        {p.reviewReason && <><dt>{p.status === "IN_PROGRESS" ? t("planRejected") : t("reason")}</dt><dd class={p.status === "IN_PROGRESS" ? "error" : ""} data-testid="plan-reason">{p.reviewReason}</dd></>}
      </dl>
      <h3>{t("acceptanceItems")}</h3>
      <ul class="items">{p.requiredItems.map((item: string) => {
        const missing = p.missingItems.includes(item), e = ev.get(item);
        return (
          <li data-item={item} data-missing={missing ? "1" : "0"} class={missing ? "missing" : "have"}>
            <span class={`badge ${missing ? "warn" : "ok"}`}>{missing ? t("missing") : t("done")}</span> <b>{t(`item.${item}`)}</b>
            {item === "MERGED_INTO" && p.mergedInto && <> · {p.mergedInto.code}</>}
            {e && <span class="small"> · {fmtTime(e.recordedAt)}{e.passed ? ` · ${t("passed")}: ${e.passed}` : ""}{e.note ? ` · ${e.note}` : ""}</span>}
            {e && e.mediaIds.length > 0 && <EvidencePhotos ids={e.mediaIds} />}
            {may.evidence && p.status === "IN_PROGRESS" && item !== "MERGED_INTO" &&
              <EvidenceForm plan={p} item={item} inspections={inspections} onDone={reload} />}
          </li>);
      })}</ul>
      <div class="row wrap">
        {may.evidence && p.status === "IN_PROGRESS" &&
          <button class="primary" data-action="request-acceptance" disabled={a.busy || p.missingItems.length > 0}
                  onClick={() => call(`mutation($id: ID!) { requestPlanAcceptance(id: $id) { id } }`, { id: p.id })}>{t("requestAcceptance")}</button>}
        {may.accept && p.status === "ACCEPTED" && !confirmClose &&
          <button class="primary" data-action="close-out" onClick={() => setConfirmClose(true)}>{t("closeOut")}</button>}
        {confirmClose && <>
          <button class="danger" data-action="close-out-confirm" disabled={a.busy} ref={confirmRef}
                  onClick={() => call(`mutation($id: ID!) { closeOutRemediationPlan(id: $id) { id } }`, { id: p.id })}>{closeLabel}</button>
          <button onClick={() => setConfirmClose(false)}>{t("cancel")}</button></>}
      </div>
      {may.accept && p.status === "SUBMITTED" &&
        <DecideButtons name="plan" approveLabel={t("acceptPlan")} rejectLabel={t("rejectPlan")} busy={a.busy} err={a.err}
                       onApprove={() => call(`mutation($id: ID!) { reviewRemediationPlan(id: $id, decision: ACCEPT) { id } }`, { id: p.id })}
                       onReject={(why) => call(`mutation($id: ID!, $r: String) { reviewRemediationPlan(id: $id, decision: REJECT, reason: $r) { id } }`, { id: p.id, r: why })} />}
      {!(may.accept && p.status === "SUBMITTED") && <Err msg={a.err} />}
    </section>
  );
}

function PublicLink({ o }: { o: any }) {
  if (o.verification === "NOT_OUTFALL" || o.verification === "SUSPECTED") return null;  // the server serves no page for these
  return (
    <p class="publiclink" data-testid="public-link">
      <a href={o.publicUrl} target="_blank" rel="noopener">{t("publicPage")} ↗</a>
      <a href={`${o.publicUrl}/qr.svg`} target="_blank" rel="noopener"><img src={`${o.publicUrl}/qr.svg`} alt={`${t("qrCode")} ${o.code}`} class="qr" /></a>
    </p>
  );
}

export function LifePanel({ me, o, inspections, tasks, reload }: { me: Me; o: any; inspections: any[]; tasks: any[]; reload: () => void }) {
  return (
    <section class="life" aria-labelledby="life-h">
      <div class="lifehead">
        <h2 id="life-h">{t("lifeTitle")}</h2>
        <Steps me={me} o={o} />
        <PublicLink o={o} />
      </div>
      <VerifyCard me={me} o={o} reload={reload} />
      {o.sitingFlag && o.sitingFlag !== o.receivingWater.newOutfallProhibited && <p class="badge bad">{o.sitingFlag}</p>}
      <div class="lifegrid">
        <TracingCard me={me} o={o} tasks={tasks} reload={reload} />
        <PlanCard me={me} o={o} inspections={inspections} reload={reload} />
        <StandardCard me={me} o={o} reload={reload} />
        <ReceivingCard me={me} o={o} reload={reload} />
        <PermitCard me={me} o={o} reload={reload} />
      </div>
    </section>
  );
}
