"""Per-record drafts: a form's unsaved work belongs to one record, survives a kill, and goes only when
the user discards it or the record is saved."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mobile.core.drafts import FORMS, Drafts
from mobile.core.store import Store, StoreError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def drafts(store):
    return Drafts(store)


@pytest.mark.parametrize("form", FORMS)
def test_a_draft_belongs_to_its_record_only(drafts, jpeg, form):
    a_photo = jpeg(1)
    drafts.save(form, "A", {"note": "seen at A"}, {"GENERAL": [str(a_photo)]})
    assert drafts.get(form, "B") is None  # opening another record finds nothing of A's
    drafts.save(form, "B", {"note": "seen at B"}, {})
    a, b = drafts.get(form, "A"), drafts.get(form, "B")
    assert a.values == {"note": "seen at A"} and b.values == {"note": "seen at B"}
    assert b.photos == {} and len(a.photos["GENERAL"]) == 1
    # The draft holds its own copy: the camera's file may go.
    a_photo.unlink()
    assert Path(a.photos["GENERAL"][0]).read_bytes()[:2] == b"\xff\xd8"
    # Other forms never see it either.
    for other in FORMS:
        if other != form:
            assert drafts.get(other, "A") is None


def test_a_late_camera_answer_lands_on_the_record_that_asked(drafts, jpeg):
    drafts.save("inspection", "A", {"COD": "30"}, {})
    drafts.save("inspection", "B", {}, {})  # the user moved on to B before the camera answered
    drafts.add_photo("inspection", "A", "GENERAL", jpeg(2))
    assert len(drafts.get("inspection", "A").photos["GENERAL"]) == 1
    assert drafts.get("inspection", "B").photos == {}
    assert drafts.get("inspection", "A").values == {"COD": "30"}  # values kept


def test_several_photos_per_slot_and_removed_ones_are_deleted(drafts, jpeg):
    d = drafts.add_photo("inspection", "A", "GENERAL", jpeg(3))
    d = drafts.add_photo("inspection", "A", "GENERAL", jpeg(4))
    first, second = d.photos["GENERAL"]
    d = drafts.save("inspection", "A", d.values, {"GENERAL": [second]})  # the user removed the first
    assert d.photos["GENERAL"] == [second] and not Path(first).exists() and Path(second).exists()


def test_discard_removes_row_and_files(drafts, jpeg):
    d = drafts.add_photo("rectification", "T1", "BEFORE", jpeg(5))
    drafts.discard("rectification", "T1")
    assert drafts.get("rectification", "T1") is None and not Path(d.photos["BEFORE"][0]).exists()
    drafts.discard("rectification", "T1")  # twice is fine


def test_bad_keys_are_refused(drafts):
    with pytest.raises(StoreError, match="unknown form"):
        drafts.save("nonsense", "A", {})
    with pytest.raises(StoreError, match="needs the record"):
        drafts.save("inspection", None, {})
    with pytest.raises(StoreError, match="needs the record"):
        drafts.get("inspection", "")


def test_empty_means_nothing_typed():
    from mobile.core.drafts import Draft

    assert Draft("inspection", "A", {"note": "", "flowing": False, "params": []}).empty
    assert not Draft("inspection", "A", {"note": "x"}).empty
    assert not Draft("inspection", "A", {}, {"GENERAL": ["p.jpg"]}).empty


def test_drafts_survive_a_kill(tmp_path, jpeg):
    """A process saves a draft with a photo and is killed with SIGKILL; the next start finds both,
    and the files a half-done save left behind are cleared."""
    data = tmp_path / "phone"
    photo = jpeg(6)
    code = textwrap.dedent(f"""
        import os, signal
        from mobile.core.store import Store
        from mobile.core.drafts import Drafts
        d = Drafts(Store.open({str(data)!r}))
        d.save("inspection", "outfall-7", {{"COD": "260", "note": "黑臭"}}, {{"GENERAL": [{str(photo)!r}]}})
        (d.dir / "inspection" / "stray.jpg.tmp").write_bytes(b"half")  # as a kill mid-copy leaves it
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=60)
    assert p.returncode == -signal.SIGKILL, p.stderr
    drafts = Drafts(Store.open(data))
    d = drafts.get("inspection", "outfall-7")
    assert d.values == {"COD": "260", "note": "黑臭"} and Path(d.photos["GENERAL"][0]).is_file()
    assert not (drafts.dir / "inspection" / "stray.jpg.tmp").exists()
    assert os.path.commonpath([d.photos["GENERAL"][0], str(drafts.dir)]) == str(drafts.dir)


def test_the_store_does_not_sweep_draft_photos(tmp_path, jpeg):
    s = Store.open(tmp_path / "phone")
    d = Drafts(s).add_photo("registration", "new-1", "SIGNBOARD", jpeg(7))
    s.close()
    s = Store.open(tmp_path / "phone")  # the store's own orphan sweep runs here
    assert Path(Drafts(s).get("registration", "new-1").photos["SIGNBOARD"][0]).is_file()
    assert Path(d.photos["SIGNBOARD"][0]).is_file()
