// A photo from the desk, uploaded the way the phone does it: ask for a ticket (size and SHA-256 declared),
// send the bytes where the ticket says (PUT, or a form POST when the store gives fields), then complete.
import { ApiError, gql } from "../api";

async function sha256Hex(buf: ArrayBuffer): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", buf);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function uploadPhoto(file: File, role = "GENERAL"): Promise<string> {
  const buf = await file.arrayBuffer();
  const i = { clientId: crypto.randomUUID(), filename: file.name, contentType: file.type || "image/jpeg",
              sizeBytes: buf.byteLength, sha256: await sha256Hex(buf), role };
  const { requestUpload: tk } = await gql<any>(`mutation($i: RequestUploadInput!) { requestUpload(input: $i) {
    url method headers { key value } fields { key value } media { id } } }`, { i });
  let r: Response;
  if (tk.fields.length) {
    const f = new FormData();
    for (const x of tk.fields) f.append(x.key, x.value);
    f.append("file", new Blob([buf], { type: i.contentType }), file.name);
    r = await fetch(tk.url, { method: "POST", body: f });
  } else {
    r = await fetch(tk.url, { method: tk.method, body: buf,
                              headers: Object.fromEntries(tk.headers.map((h: any) => [h.key, h.value])) });
  }
  if (!r.ok) throw new ApiError(`${file.name}: upload refused (HTTP ${r.status})`, "UPLOAD");
  const { completeUpload } = await gql<any>(`mutation($id: ID!) { completeUpload(mediaId: $id) { id status rejectReason } }`,
                                            { id: tk.media.id });
  if (completeUpload.status !== "READY") throw new ApiError(`${file.name}: ${completeUpload.rejectReason ?? completeUpload.status}`, "UPLOAD");
  return completeUpload.id;
}
