"""The local store: survives reopening and kills, photos copied and hashed, counts, offline sign-in."""
from __future__ import annotations

import hashlib
import sqlite3
import uuid

import pytest

from mobile.core import actions
from mobile.core.store import NewPhoto, Store, StoreError


def test_enqueue_copies_hashes_and_survives_reopen(tmp_path, jpeg):
    src = jpeg()
    s = Store.open(tmp_path / "phone")
    item = actions.record_inspection(s, outfall="7", measurements={"COD": 30}, photos=[(src, "SAMPLE")])
    s.close()
    src.unlink()  # the camera's file may go: the app keeps its own copy

    s = Store.open(tmp_path / "phone")
    got = s.item(item.client_id)
    assert got.kind == "recordInspection" and got.state == "pending" and got.payload["clientId"] == item.client_id
    (p,) = s.photos(owner=item.client_id)
    assert p.path.is_file() and p.path.parent == tmp_path / "phone" / "photos"
    assert p.sha256 == hashlib.sha256(p.path.read_bytes()).hexdigest() and p.size_bytes == p.path.stat().st_size
    assert (p.role, p.content_type, p.state) == ("SAMPLE", "image/jpeg", "pending")
    assert got.payload["mediaIds"] == [{"$photo": p.client_id}]
    assert s.get_cache("nothing", 1) == 1
    assert sqlite3.connect(s.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()


def test_order_is_kept(store):
    ids = [actions.start_task(store, str(i)).client_id for i in range(5)]
    assert [i.client_id for i in store.pending_items()] == ids


def test_failure_midway_leaves_no_record_and_no_files(store, jpeg, tmp_path):
    good = jpeg()
    with pytest.raises(StoreError):
        store.enqueue("recordInspection", {"outfallId": "1"}, photos=[NewPhoto(good), NewPhoto(tmp_path / "gone.jpg")])
    assert store.items() == [] and store.photos() == []
    assert list(store.photo_dir.iterdir()) == []


def test_kill_inside_a_transaction_rolls_back(tmp_path):
    s = Store.open(tmp_path / "phone")
    item = actions.start_task(s, "1")

    class Killed(BaseException):
        pass

    with pytest.raises(Killed):
        with s.transaction() as c:
            c.execute("UPDATE outbox SET state='sent' WHERE client_id=?", (item.client_id,))
            raise Killed()
    s.close()
    assert Store.open(tmp_path / "phone").item(item.client_id).state == "pending"


def test_orphan_photo_files_are_removed_on_open(tmp_path, jpeg):
    s = Store.open(tmp_path / "phone")
    kept = actions.record_inspection(s, outfall="1", photos=[jpeg()])
    s.close()
    orphan = tmp_path / "phone" / "photos" / f"{uuid.uuid4()}.jpg"  # copied, then killed before the commit
    orphan.write_bytes(b"x")
    half = tmp_path / "phone" / "photos" / "abc.jpg.tmp"
    half.write_bytes(b"x")
    s = Store.open(tmp_path / "phone")
    assert not orphan.exists() and not half.exists()
    assert s.photos(owner=kept.client_id)[0].path.exists()
    s.close()


def test_counts_retry_fix_discard(store, jpeg):
    a = actions.record_inspection(store, outfall="1", photos=[jpeg(), jpeg()])
    b = actions.start_task(store, "9")
    c = store.counts()
    assert (c.records_waiting, c.photos_waiting, c.failures, c.last_sync_at) == (2, 2, 0, None)
    from mobile.core.store import ErrorInfo

    store.item_failed(b.client_id, ErrorInfo("NOT_FOUND", "no task with id 9"))
    assert store.counts().failures == 1 and store.items("failed")[0].error.message == "no task with id 9"
    store.retry(b.client_id)
    assert store.item(b.client_id).state == "pending" and store.counts().failures == 0
    store.item_retry_later(a.client_id, ErrorInfo("TRANSPORT", "offline"), 0)
    with pytest.raises(StoreError):  # tried once: it may be on the server already
        store.fix(a.client_id, {"note": "changed"})
    store.discard(b.client_id)
    assert store.item(b.client_id) is None
    with pytest.raises(StoreError):
        store.retry("no-such-item")


def test_unknown_kind_and_bad_role_are_refused(store, jpeg):
    with pytest.raises(StoreError):
        store.enqueue("deleteEverything", {})
    with pytest.raises(StoreError):
        store.enqueue("recordInspection", {}, photos=[NewPhoto(jpeg(), role="SELFIE")])


def test_implausible_reading_is_refused_before_it_is_queued(store):
    with pytest.raises(StoreError, match="PH"):
        actions.record_inspection(store, outfall="1", measurements={"PH": 15})
    assert store.items() == []


def test_offline_sign_in(store):
    store.save_session(username="inspector", password="secret", token="tok", expires_at=None,
                       user={"id": "1", "username": "inspector"})
    assert store.check_offline_password("inspector", "secret").token == "tok"
    assert store.check_offline_password("inspector", "wrong") is None
    assert store.check_offline_password("officer", "secret") is None

    class Offline:
        token = None

        def login(self, u, p):
            from mobile.core.client import TransportError
            raise TransportError("offline")

    c = Offline()
    assert actions.sign_in(store, c, "inspector", "secret")["username"] == "inspector" and c.token == "tok"
    with pytest.raises(actions.SignInError) as e:
        actions.sign_in(store, c, "inspector", "nope")
    assert e.value.offline
