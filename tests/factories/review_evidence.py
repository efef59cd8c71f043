"""A rectification waiting for review whose checks carry evidence to show (issue 17 item 5), made through
a real server's GraphQL and upload path as the phone sends it:

- the task was raised with a finding photo of the site;
- before 1: a repeat visit of the same view (BEFORE_SAME_VIEW: side by side with the finding photo);
- after 1: the finding photo cropped, mirrored, darkened and written on (REUSED_PHOTO: side by side
  with the stored original, and what was done to it);
- after 2: a photo of another outfall taken ~5.8 km away (FAR_FROM_SITE: the photo's position and the
  site on a map).

Used by the phone's core and UI tests and the console's review desk test.
"""
from __future__ import annotations

import hashlib
import io
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import Image

from tests.factories import reuse_corpus as rc

SITE = (29.5647, 106.5870)  # 渝中区, on the Yangtze bank
FAR = (29.5800, 106.5300)  # ~5.8 km west-north-west
CST = timezone(timedelta(hours=8))
DISTRICT = "500103"


def _login(url: str, username: str):
    from mobile.core.client import Client
    from server.demo.seed import demo_password

    c = Client(url, timeout=60)
    c.login(username, demo_password(username))
    return c


def _put(c, data: bytes) -> dict:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "IMG_0001.jpg"
        path.write_bytes(data)
        t = c.request_upload(client_id=str(uuid.uuid4()), filename=path.name, content_type="image/jpeg",
                             size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
        c.upload(t, path, "image/jpeg")
    return c.complete_upload(t["media"]["id"])


def _photo(data: bytes, where: tuple[float, float]) -> bytes:
    return rc.with_exif(data, gps=where, taken_at=datetime.now(CST) - timedelta(minutes=5))


def seed(url: str, *, title: str = "排口整治：封堵暗管") -> dict:
    """Make the task and its submission; returns the ids the tests look for."""
    original = rc.photo(0, 0)
    sup, officer = _login(url, "supervisor"), _login(url, "officer")
    try:
        finding = _put(sup, _photo(original, SITE))
        task = sup.execute("mutation($i: CreateTaskInput!) { createTask(input: $i) { id code } }", {"i": {
            "clientId": str(uuid.uuid4()), "kind": "OUTFALL_REMEDIATION", "source": "MANUAL", "title": title,
            "districtCode": DISTRICT, "location": {"lat": SITE[0], "lon": SITE[1]},
            "mediaIds": [finding["id"]]}})["createTask"]
        before = _put(officer, _photo(rc.photo(0, 1), SITE))
        copy = rc.TRANSFORMS["crop_mirror_text_dark"](Image.open(io.BytesIO(original)).convert("RGB"))
        reused = _put(officer, _photo(copy, SITE))
        far = _put(officer, _photo(rc.photo(1, 2), FAR))
        sub = officer.submit_rectification({"clientId": str(uuid.uuid4()), "taskId": task["id"],
                                            "beforeMediaIds": [before["id"]],
                                            "afterMediaIds": [reused["id"], far["id"]],
                                            "note": "已封堵 / sealed"})
    finally:
        sup.close()
        officer.close()
    return {"task_id": str(task["id"]), "task_code": task["code"], "submission_id": str(sub["id"]),
            "finding_id": str(finding["id"]), "before_id": str(before["id"]), "reused_id": str(reused["id"]),
            "far_id": str(far["id"]), "site": SITE, "far": FAR}
