// Who is signed in, loaded once per page from `me`.
import { gql, setToken } from "./api";

export interface Me {
  id: string; username: string; displayName: string; role: string;
  district: { code: string; name: string; nameEn: string } | null;
}

export async function loadMe(): Promise<Me | null> {
  try {
    return (await gql<{ me: Me | null }>("{ me { id username displayName role district { code name nameEn } } }")).me;
  } catch {
    return null;
  }
}

export async function signIn(username: string, password: string): Promise<Me> {
  const d = await gql<{ login: { token: string; user: Me } }>(
    `mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
       token user { id username displayName role district { code name nameEn } } } }`,
    { u: username, p: password });
  setToken(d.login.token);
  return d.login.user;
}

export async function signOut() {
  try { await gql("mutation { logout }"); } catch { /* the token is dropped either way */ }
  setToken(null);
}

export const isCity = (me: Me | null) => !!me && ["SUPERVISOR", "ADMIN", "INTEGRATOR"].includes(me.role);
