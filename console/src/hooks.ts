import { useEffect, useState } from "preact/hooks";

/** Re-render when the language switches. */
export function useLang() {
  const [, set] = useState(0);
  useEffect(() => {
    const f = () => set((n) => n + 1);
    window.addEventListener("ow:lang", f);
    return () => window.removeEventListener("ow:lang", f);
  }, []);
}

/** The hash route: "#/tasks?x=1" -> ["tasks"], params. */
export function useRoute(): { parts: string[]; params: URLSearchParams } {
  const [h, set] = useState(location.hash);
  useEffect(() => {
    const f = () => set(location.hash);
    window.addEventListener("hashchange", f);
    return () => window.removeEventListener("hashchange", f);
  }, []);
  const [path, query] = h.replace(/^#\/?/, "").split("?");
  return { parts: path.split("/").filter(Boolean), params: new URLSearchParams(query ?? "") };
}

/** An async load with loading/error state; reruns when deps change. */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): { data?: T; error?: any; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: any; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fn().then((data) => live && setState({ data, loading: false }), (error) => live && setState({ error, loading: false }));
    return () => { live = false; };
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}
