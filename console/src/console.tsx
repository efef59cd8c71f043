// The desk console: sign-in, navigation, language switch and the hash router over the pages.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "maplibre-gl/dist/maplibre-gl.css";
// The console brings its own CJK font (OFL, from npm): an office PC or a wall display may have none.
import "@fontsource/noto-sans-sc/400.css";
import "@fontsource/noto-sans-sc/700.css";
import "./style.css";
import { ApiError, token } from "./api";
import { prefetchOverview } from "./map/outfalls";
import { lang, setLang, t } from "./i18n";
import { useLang, useRoute } from "./hooks";
import { isCity, loadMe, signIn, signOut, type Me } from "./session";
import { MapPage } from "./pages/map";
import { ProfilePage } from "./pages/profile";
import { LedgerPage, TaskPage } from "./pages/ledger";
import { ReviewPage } from "./pages/review";
import { BriefPage } from "./pages/brief";
import { StationPage } from "./pages/station";
import { LifeQueuePage } from "./life/queue";
import "./life/strings";

function Login({ onDone }: { onDone: (m: Me) => void }) {
  useLang();
  const [err, setErr] = useState("");
  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    try {
      onDone(await signIn(String(f.get("username")), String(f.get("password"))));
    } catch (x) {
      setErr(`${t("signInFailed")}: ${(x as ApiError).message}`);
    }
  }
  return (
    <main class="login">
      <form onSubmit={submit} aria-label={t("signIn")}>
        <h1>{t("app")}</h1>
        <label>{t("username")}<input name="username" autocomplete="username" required autofocus /></label>
        <label>{t("password")}<input name="password" type="password" autocomplete="current-password" required /></label>
        {err && <p class="error" role="alert">{err}</p>}
        <button type="submit" class="primary">{t("signIn")}</button>
        <button type="button" class="link" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>{t("language")}</button>
      </form>
    </main>
  );
}

function App() {
  useLang();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const { parts, params } = useRoute();
  useEffect(() => { loadMe().then(setMe); }, []);
  useEffect(() => {
    const f = () => setMe(null);
    window.addEventListener("ow:unauthenticated", f);
    return () => window.removeEventListener("ow:unauthenticated", f);
  }, []);
  if (me === undefined) return <p class="pad">{t("loading")}</p>;
  if (me === null) return <Login onDone={(m) => (params.get("next") === "screen" ? location.assign("/screen/") : setMe(m))} />;
  const page = parts[0] ?? "map";
  const nav = [["map", t("map")], ["tasks", t("tasks")], ...(me.role === "SUPERVISOR" ? [["review", t("review")]] : []),
               ["life", t("lifeQueue")], ["brief", t("brief")]];
  return (
    <div class="shell">
      <header class="top">
        <strong class="brand">{t("app")}</strong>
        <nav aria-label="main">
          {nav.map(([k, label]) => <a href={`#/${k}`} aria-current={page === k ? "page" : undefined}>{label}</a>)}
          {isCity(me) && <a href="/screen/" target="_blank" rel="noopener">{t("screen")}</a>}
        </nav>
        <span class="who">{me.displayName}{me.district ? ` · ${lang === "en" ? me.district.nameEn : me.district.name}` : ""}</span>
        <button class="link" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>{t("language")}</button>
        <button class="link" onClick={async () => { await signOut(); setMe(null); }}>{t("signOut")}</button>
      </header>
      <div class="content">
        {page === "map" && <MapPage me={me} params={params} />}
        {page === "outfall" && <ProfilePage me={me} id={parts[1]} />}
        {page === "station" && <StationPage me={me} id={parts[1]} />}
        {page === "tasks" && <LedgerPage me={me} params={params} />}
        {page === "task" && <TaskPage me={me} id={parts[1]} />}
        {page === "review" && <ReviewPage me={me} />}
        {page === "brief" && <BriefPage me={me} params={params} />}
        {page === "life" && <LifeQueuePage me={me} />}
      </div>
    </div>
  );
}

// The one-map is the first page: its one big read starts now, alongside sign-in's check and the map's set-up.
if (token() && /^(#\/?)?(map)?$/.test(location.hash.split("?")[0])) prefetchOverview();

render(<App />, document.getElementById("app")!);
