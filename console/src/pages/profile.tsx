// 画像: an outfall's facts, signboard photo, phase steps, readings against their limits, tasks, photos.
import { useState } from "preact/hooks";
import { gql } from "../api";
import { fmtTime, nm, t } from "../i18n";
import { useAsync, useLang } from "../hooks";
import type { Me } from "../session";
import { Chart } from "../charts";
import { Countdown, ErrorBox, Status } from "../ui";
import { TaskForm } from "./taskform";
import { LIFE_FIELDS, LifePanel } from "../life/cards";
import { Reading, readingGroups } from "../life/readings";

const PHASES = ["SURVEYED", "MONITORED", "TRACED", "REMEDIATED"];
const Q = `query($id: ID!) { outfall(id: $id) {
  id code name category subtype phase remediation status waterClass responsibleUnit signboardInstalled createdAt
  river { code name nameEn } district { code name nameEn } location { lat lon }
  ${LIFE_FIELDS}
  media { id role url thumbnailUrl takenAt }
  inspections(first: 50) { totalCount edges { node { id observedAt flowing dryWeather outcome note inspector { displayName }
    measurements { parameter value unit limit limitLow standard exceeded exceedanceMultiple sampleType method screening basis note }
    media { id role url thumbnailUrl takenAt } } } }
  tasks(first: 50) { totalCount edges { node { id code title kind status deadline isOverdue
    latestSubmission { status before { id thumbnailUrl url } after { id thumbnailUrl url } } media { id thumbnailUrl url } } } }
} }`;

export function ProfilePage({ me, id }: { me: Me; id: string }) {
  useLang();
  const { data, error, loading, reload } = useAsync(() => gql<any>(Q, { id }), [id]);
  const [creating, setCreating] = useState(false);
  // Another outfall's answer is not shown while this one loads (its actions would act on the wrong outfall).
  if ((loading && !data) || (data?.outfall && data.outfall.id !== id)) return <p class="pad">{t("loading")}</p>;
  if (error) return <div class="pad"><ErrorBox error={error} onRetry={reload} /></div>;
  const o = data.outfall;
  if (!o) return <div class="pad"><ErrorBox error={{ code: "NOT_FOUND", message: id }} /></div>;
  const inspections = o.inspections.edges.map((e: any) => e.node);
  const tasks = o.tasks.edges.map((e: any) => e.node);
  const photos = [...o.media, ...inspections.flatMap((i: any) => i.media),
                  ...tasks.flatMap((x: any) => [...x.media, ...(x.latestSubmission?.before ?? []), ...(x.latestSubmission?.after ?? [])])]
    .filter((m: any, i: number, a: any[]) => m.thumbnailUrl && a.findIndex((z) => z.id === m.id) === i);
  const sign = o.media.find((m: any) => m.role === "SIGNBOARD");
  const canTask = ["SUPERVISOR", "ADMIN", "INSPECTOR"].includes(me.role);
  return (
    <div class="page profile">
      <header class="pagehead">
        <h1><span data-testid="profile-code">{o.code}</span> {o.name}</h1>
        <a href="#/map">← {t("map")}</a>
        {canTask && <button class="primary" onClick={() => setCreating(true)}>{t("createTask")}</button>}
      </header>
      {creating && <TaskForm outfall={o} onClose={(done) => { setCreating(false); if (done) reload(); }} />}
      <LifePanel me={me} o={o} inspections={inspections} tasks={tasks} reload={reload} />
      <div class="cols">
        <section class="card">
          <h2>{t("profile")}</h2>
          <dl class="facts">
            <dt>{t("category")}</dt><dd>{t(o.category)}{o.subtype ? ` · ${o.subtype}` : ""}</dd>
            <dt>{t("river")}</dt><dd>{nm(o.river)}</dd>
            <dt>{t("district")}</dt><dd>{nm(o.district)}</dd>
            <dt>{t("waterClass")}</dt><dd>{o.waterClass ?? "—"}</dd>
            <dt>{t("remediation")}</dt><dd>{o.remediation ? t(`plan.${o.remediation}`) : "—"}</dd>
            <dt>{t("status")}</dt><dd data-testid="outfall-status">{t(`outfallSt.${o.status}`)}</dd>
            <dt>{t("responsibleUnit")}</dt><dd>{o.responsibleUnit ?? "—"}</dd>
            <dt>{t("signboard")}</dt><dd>{o.signboardInstalled ? t("yes") : t("no")}</dd>
            <dt>WGS-84</dt><dd>{o.location.lat.toFixed(5)}, {o.location.lon.toFixed(5)}</dd>
          </dl>
          {sign && <img class="signboard" src={sign.thumbnailUrl} alt={t("signboard")} />}
          <h3>{t("timeline")}</h3>
          <ol class="phases">
            {PHASES.map((p, i) => <li class={PHASES.indexOf(o.phase) >= i ? "done" : ""} aria-current={o.phase === p ? "step" : undefined}>{t(p)}</li>)}
          </ol>
        </section>
        <section class="card">
          <h2>{t("readings")}</h2>
          {readingGroups(inspections).map((g) => <Chart label={g.title} height={150} option={g.option} />)}
          {!inspections.length && <p class="muted">{t("none")}</p>}
        </section>
      </div>
      <section class="card">
        <h2>{t("inspections")} ({o.inspections.totalCount})</h2>
        <table class="grid">
          <thead><tr><th>{t("date")}</th><th>{t("name")}</th><th>{t("readings")}</th><th>{t("description")}</th></tr></thead>
          <tbody>{inspections.map((i: any) => (
            <tr><td>{fmtTime(i.observedAt)}</td><td>{i.inspector.displayName}</td>
              <td>{i.outcome === "DRY" && <span class="badge warn">{t("dryOutcome")}</span>}{i.measurements.map((m: any) => <Reading m={m} />)}</td>
              <td>{i.note}</td></tr>))}</tbody>
        </table>
      </section>
      <section class="card">
        <h2>{t("tasks")} ({o.tasks.totalCount})</h2>
        <table class="grid">
          <thead><tr><th>{t("code")}</th><th>{t("title")}</th><th>{t("kind")}</th><th>{t("status")}</th><th>{t("deadline")}</th></tr></thead>
          <tbody>{tasks.map((x: any) => (
            <tr><td><a href={`#/task/${x.id}`}>{x.code}</a></td><td>{x.title}</td><td>{t(x.kind)}</td><td><Status s={x.status} /></td>
              <td>{["APPROVED", "CANCELLED"].includes(x.status) ? fmtTime(x.deadline) : <Countdown deadline={x.deadline} />}</td></tr>))}</tbody>
        </table>
      </section>
      <section class="card">
        <h2>{t("photos")} ({photos.length})</h2>
        <div class="gallery">{photos.map((m: any) => <a href={m.url} target="_blank" rel="noopener"><img src={m.thumbnailUrl} alt={`${t(m.role)} ${fmtTime(m.takenAt)}`} loading="lazy" /></a>)}</div>
      </section>
    </div>
  );
}
