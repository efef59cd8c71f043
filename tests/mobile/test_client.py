"""The GraphQL client against the real server: reads, the upload dance, and how errors are told apart."""
from __future__ import annotations

import hashlib
import uuid

import httpx
import pytest

from mobile.core.client import ApiError, Client, TransportError
from tests.mobile.conftest import HOME_DISTRICT


def test_login_me_and_reference(inspector):
    me = inspector.me()
    assert me["username"] == "inspector" and me["role"] == "INSPECTOR"
    assert me["district"]["code"] == HOME_DISTRICT
    assert len(inspector.districts()) == 38
    assert any(r["code"] for r in inspector.rivers())


def test_outfalls_paged_and_nearby(inspector):
    page = inspector.outfalls_page(first=3)
    assert len(page["edges"]) == 3 and page["pageInfo"]["hasNextPage"]
    everything = list(inspector.outfalls(page_size=100))
    assert len(everything) == page["totalCount"] > 100
    assert len({o["id"] for o in everything}) == len(everything)  # paging neither repeats nor skips
    home = list(inspector.outfalls(HOME_DISTRICT, page_size=2))
    assert home and all(o["district"]["code"] == HOME_DISTRICT for o in home)
    o = home[0]
    detail = inspector.outfall(id=o["id"])
    assert detail["code"] == o["code"]
    near = inspector.nearby(o["location"]["lat"], o["location"]["lon"], radius_m=5000, first=5)
    assert near[0]["id"] == o["id"] and near[0]["distanceM"] < 1


def test_wrong_password_is_a_permanent_error(server):
    c = Client(server.url)
    with pytest.raises(ApiError) as e:
        c.login("inspector", "nope")
    assert not e.value.retryable and e.value.message


def test_unauthenticated_asks_to_sign_in(server):
    c = Client(server.url, token="not-a-token")
    with pytest.raises(ApiError) as e:
        c.record_inspection({"clientId": str(uuid.uuid4()), "outfallId": "1", "observedAt": "2024-01-01T00:00:00Z"})
    assert e.value.needs_sign_in and e.value.code == "UNAUTHENTICATED"


def test_bad_input_is_permanent_with_the_servers_message(inspector):
    with pytest.raises(ApiError) as e:
        inspector.record_inspection({"clientId": str(uuid.uuid4()), "outfallId": "999999",
                                     "observedAt": "2024-01-01T00:00:00Z"})
    assert e.value.code in ("NOT_FOUND", "BAD_USER_INPUT") and not e.value.retryable and not e.value.needs_sign_in


def test_no_server_is_a_transport_error():
    c = Client("http://127.0.0.1:9", timeout=2)
    with pytest.raises(TransportError) as e:
        c.me()
    assert e.value.retryable


def test_5xx_is_retryable(server):
    def handler(request):
        return httpx.Response(503, text="busy")

    c = Client(server.url, transport=httpx.MockTransport(handler))
    with pytest.raises(TransportError) as e:
        c.me()
    assert e.value.status == 503


def test_upload_roundtrip_and_replays(inspector, jpeg):
    path = jpeg()
    data = path.read_bytes()
    cid = str(uuid.uuid4())
    args = dict(client_id=cid, filename=path.name, content_type="image/jpeg", size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(), role="GENERAL")
    t = inspector.request_upload(**args)
    assert t["method"] in ("PUT", "POST") and t["media"]["status"] == "PENDING"
    inspector.upload(t, path, "image/jpeg")
    inspector.upload(t, path, "image/jpeg")  # the store answers 409 to a repeat: treated as done
    m = inspector.complete_upload(t["media"]["id"])
    assert m["status"] == "READY"
    assert inspector.complete_upload(t["media"]["id"])["status"] == "READY"  # replay: first outcome
    again = inspector.request_upload(**args)  # replay after completion: same media, nothing to send
    assert again["media"]["id"] == t["media"]["id"] and again["method"] == "NONE"


def test_rejected_upload_is_upload_invalid(inspector, jpeg):
    path = jpeg()
    data = path.read_bytes()
    t = inspector.request_upload(client_id=str(uuid.uuid4()), filename=path.name, content_type="image/jpeg",
                                 size_bytes=len(data), sha256="0" * 64)
    inspector.upload(t, path, "image/jpeg")
    with pytest.raises(ApiError) as e:
        inspector.complete_upload(t["media"]["id"])
    assert e.value.code == "UPLOAD_INVALID" and "SHA-256" in e.value.message
    assert e.value.extensions.get("mediaId") == t["media"]["id"]
