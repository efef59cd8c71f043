"""Exported evidence carries the server's signed C2PA manifest; read back and verified with the C2PA library."""
from __future__ import annotations

import io
import uuid
import zipfile
from datetime import datetime, timedelta, timezone

from server.images import provenance as P
from tests.factories import reuse_corpus as rc
from tests.server.api.test_media_api import CST, upload

SITE = (29.5647, 106.587)
COMPLETE = """mutation($id: ID!) { completeUpload(mediaId: $id) { id status signedExportUrl } }"""


async def _photo(g, client, data: bytes) -> dict:
    t = await upload(g, client, rc.with_exif(data, gps=SITE, taken_at=datetime.now(CST) - timedelta(minutes=2)))
    return (await g(COMPLETE, {"id": t["media"]["id"]}))["completeUpload"]


def _root(settings) -> bytes:
    return (settings.data_dir / "c2pa" / "root.pem").read_bytes()


async def test_evidence_pack_and_downloads_carry_a_verifiable_manifest(gql, client, users, settings):
    sup, officer = await gql.as_("supervisor"), await gql.as_("officer")
    finding = await _photo(sup, client, rc.photo(0, 0))
    task = (await sup("""mutation($i: CreateTaskInput!) { createTask(input: $i) { id code evidencePackUrl } }""",
                      {"i": {"clientId": str(uuid.uuid4()), "kind": "OUTFALL_REMEDIATION", "source": "MANUAL",
                             "title": "排口整治", "districtCode": "500103", "location": {"lat": SITE[0], "lon": SITE[1]},
                             "deadline": (datetime.now(timezone.utc) + timedelta(days=9)).isoformat(),
                             "mediaIds": [finding["id"]]}}))["createTask"]
    before, after = await _photo(officer, client, rc.photo(0, 1)), await _photo(officer, client, rc.photo(0, 2))
    sub = (await officer("""mutation($i: SubmitRectificationInput!) { submitRectification(input: $i) { id } }""",
                         {"i": {"clientId": str(uuid.uuid4()), "taskId": task["id"], "beforeMediaIds": [before["id"]],
                                "afterMediaIds": [after["id"]]}}))["submitRectification"]
    await sup("""mutation($i: ReviewSubmissionInput!) { reviewSubmission(input: $i) { id } }""",
              {"i": {"submissionId": sub["id"], "decision": "APPROVE"}})
    auth = {"Authorization": f"Bearer {sup.token}"}

    # A supervisor's download of one photo.
    url = after["signedExportUrl"].replace("http://testserver", "").replace(settings.public_url, "")
    r = await client.get(url, headers=auth)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    got = P.read(r.content, trust_anchor_pem=_root(settings))
    assert got.state == "Trusted" and got.failures == []
    st = got.statement
    assert st["media"]["id"] == after["id"] and st["attestation"]["status"] == "NOT_ATTESTED"
    (rec,) = st["records"]
    assert (rec["slot"], rec["task"]["code"], rec["review"]["decision"], rec["review"]["reviewer"]) == \
        ("AFTER", task["code"], "APPROVE", "supervisor")
    assert st["exportedBy"] == "supervisor" and isinstance(st["checks"], list)
    # Without our root the signature still verifies; only the signer is not on a public trust list.
    plain = P.read(r.content)
    assert plain.state == "Valid" and {f["code"] for f in plain.failures} == {"signingCredential.untrusted"}
    # One changed byte in the picture and the manifest no longer matches.
    bad = bytearray(r.content)
    bad[-200] ^= 0xFF
    broken = P.read(bytes(bad), trust_anchor_pem=_root(settings))
    assert broken.state == "Invalid" and "assertion.dataHash.mismatch" in {f["code"] for f in broken.failures}

    # The task ledger's evidence pack: the finding, before and after photos, each signed, and an index.
    r = await client.get(task["evidencePackUrl"].replace(settings.public_url, ""), headers=auth)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    names = sorted(n for n in z.namelist() if n.endswith(".jpg"))
    assert len(names) == 3 and "evidence.json" in z.namelist()
    slots = {}
    for n in names:
        back = P.read(z.read(n), trust_anchor_pem=_root(settings))
        assert back.state == "Trusted", (n, back.failures)
        slots[back.statement["media"]["id"]] = [x.get("slot") for x in back.statement["records"]]
    assert slots == {finding["id"]: ["FINDING"], before["id"]: ["BEFORE"], after["id"]: ["AFTER"]}


async def test_exports_refuse_strangers_and_bad_ids(gql, client, users):
    insp2 = await gql.as_("inspector2")
    insp = await gql.as_("inspector")
    m = await _photo(insp, client, rc.photo(1, 0))
    assert (await client.get(f"/export/media/{m['id']}.jpg")).status_code == 401
    r = await client.get(f"/export/media/{m['id']}.jpg", headers={"Authorization": f"Bearer {insp2.token}"})
    assert r.status_code == 403  # another district's photo
    r = await client.get("/export/media/abc.jpg", headers={"Authorization": f"Bearer {insp.token}"})
    assert r.status_code == 400 and r.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    r = await client.get("/export/tasks/999999/evidence.zip", headers={"Authorization": f"Bearer {insp.token}"})
    assert r.status_code == 404


def test_configured_identity_is_used(tmp_path):
    ident = P.make_identity("Test Bureau")
    (tmp_path / "chain.pem").write_bytes(ident.chain_pem)
    (tmp_path / "key.pem").write_bytes(ident.key_pem)
    loaded = P.load_identity(tmp_path / "chain.pem", tmp_path / "key.pem")
    assert loaded.root_pem.strip() == ident.root_pem.strip()
    signed = P.sign_jpeg(rc.photo(2, 0), {"hello": "world"}, loaded, title="x.jpg")
    assert P.read(signed, trust_anchor_pem=ident.root_pem).state == "Trusted"
    other = P.make_identity("Someone Else")
    assert P.read(signed, trust_anchor_pem=other.root_pem).state == "Valid"  # valid, but not by that anchor
