// The console talks to the public GraphQL API only: POST /graphql for queries and mutations,
// graphql-transport-ws on the same path for taskEvents.
import { createClient, type Client } from "graphql-ws";

const TOKEN_KEY = "outfallwatch.token";

export class ApiError extends Error {
  constructor(message: string, public code: string, public field?: string) {
    super(message);
  }
}

export function token(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(t: string | null) {
  if (t) localStorage.setItem(TOKEN_KEY, t);
  else localStorage.removeItem(TOKEN_KEY);
}

export async function gql<T = any>(query: string, variables: Record<string, unknown> = {},
                                   signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  const r = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }), signal });
  let body: any;
  try {
    body = await r.json();
  } catch {
    throw new ApiError(`HTTP ${r.status}`, "NETWORK");
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    const code = e.extensions?.code ?? "ERROR";
    if (code === "UNAUTHENTICATED") window.dispatchEvent(new CustomEvent("ow:unauthenticated"));
    throw new ApiError(e.message, code, e.extensions?.field);
  }
  return body.data as T;
}

/** A file download through the existing exports, with the Bearer token (a plain link cannot send it). */
export async function download(path: string, filename: string) {
  const r = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  if (!r.ok) throw new ApiError(`HTTP ${r.status}`, "EXPORT");
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

let ws: Client | null = null;

/** One graphql-ws client per page; it reconnects forever with backoff, so a dropped connection heals. */
export function wsClient(onState?: (s: "connected" | "closed") => void): Client {
  if (ws) return ws;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  ws = createClient({
    url,
    connectionParams: () => ({ authorization: `Bearer ${token() ?? ""}` }),
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (n) => new Promise((res) => setTimeout(res, Math.min(1000 * 2 ** n, 15_000) * (0.5 + Math.random() / 2))),
    keepAlive: 15_000,
    lazy: false,
    on: { connected: () => onState?.("connected"), closed: () => onState?.("closed") },
  });
  return ws;
}

export interface TaskEvent { type: string; at: string; task: any }

/** Subscribe to taskEvents; returns the unsubscribe function. */
export function onTaskEvents(fields: string, cb: (e: TaskEvent) => void, districtCode?: string | null): () => void {
  const query = `subscription($d: String) { taskEvents(districtCode: $d) { type at task { ${fields} } } }`;
  return wsClient().subscribe<{ taskEvents: TaskEvent }>(
    { query, variables: { d: districtCode ?? null } },
    { next: (m) => m.data && cb(m.data.taskEvents), error: () => {}, complete: () => {} },
  );
}
