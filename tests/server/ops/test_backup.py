"""A backup restored into a fresh database and a fresh store matches the original, row for row and
object for object."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from server.db import Database
from server.domain.geo.service import load_reference_data
from server.domain.errors import BadInput
from server.migrate import upgrade
from server.models import metadata
from server.ops.backup import backup, restore
from server.storage import LocalStore
from tests.server.api.test_loop_api import RECORD, REVIEW, SUBMIT, photo
from tests.server.lifecycle.test_standard_api import SET_STD


async def rows(db: Database) -> dict:
    out = {}
    async with db.engine.connect() as c:
        for t in metadata.sorted_tables:
            if t.name != "data_version":
                out[t.name] = [dict(r) for r in (await c.execute(select(t).order_by(*t.primary_key.columns))).mappings()]
    return out


async def fresh_target(settings, tmp_path):
    if settings.is_sqlite:
        url = f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
        return Database(url), None
    name = f"ow_restore_{uuid.uuid4().hex[:8]}"
    admin = Database(str(make_url(settings.database_url).set(database="postgres")), isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as c:
        await c.execute(text(f'CREATE DATABASE "{name}"'))
    return Database(str(make_url(settings.database_url).set(database=name))), (admin, name)


async def test_round_trip(gql, client, users, db, settings, app, tmp_path):
    sup, insp, officer = await gql.as_("supervisor"), await gql.as_("inspector"), await gql.as_("officer")
    oid = (await sup("mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "name": "备份排口", "category": "INDUSTRIAL", "riverCode": "YANGTZE",
        "districtCode": "500103", "location": {"lat": 29.5647, "lon": 106.587}}}))["registerOutfall"]["id"]
    await sup(SET_STD, {"id": oid, "i": {"standard": "GB8978", "grade": "grade1"}})  # COD 120.5 is then over 100
    ins = (await insp(RECORD, {"i": {"clientId": str(uuid.uuid4()), "outfallId": oid,
                                     "observedAt": "2026-11-24T08:00:00+08:00", "mediaIds": [await photo(insp, client, seed=80)],
                                     "measurements": [{"parameter": "COD", "value": 120.5}]}}))["recordInspection"]
    tid = ins["raisedTasks"][0]["id"]
    sub = (await officer(SUBMIT, {"i": {"clientId": str(uuid.uuid4()), "taskId": tid,
                                        "beforeMediaIds": [await photo(officer, client, seed=81)],
                                        "afterMediaIds": [await photo(officer, client, seed=82)]}}))
    await sup(REVIEW, {"i": {"submissionId": sub["submitRectification"]["id"], "decision": "APPROVE"}})
    store = app.state.services.store
    m = await backup(db=db, store=store, dest=tmp_path / "bk")
    assert m["tables"]["measurements"]["rows"] == 1 and len(m["objects"]) >= 9  # 3 photos x original/display/thumb
    target, cleanup = await fresh_target(settings, tmp_path)
    try:
        await upgrade(target)
        async with target.transaction() as s:
            await load_reference_data(session=s)
        store2 = LocalStore(tmp_path / "media2", public_url="http://t", secret=b"k" * 32)
        result = await restore(db=target, store=store2, src=tmp_path / "bk")
        assert result["objects"] == len(m["objects"]) and result["rows"] >= 30
        assert await rows(target) == await rows(db)
        assert [k async for k in store2.keys("media/")] == [k async for k in store.keys("media/")]
        with pytest.raises(BadInput, match="not empty"):
            await restore(db=target, store=store2, src=tmp_path / "bk")
        # The restored database keeps working: new ids do not collide.
        async with target.transaction() as s:
            await s.execute(text("INSERT INTO users (username, display_name, role, password_hash, token_version, "
                                 "active, created_at, updated_at) VALUES ('new', 'n', 'ADMIN', 'x', 0, true, CURRENT_TIMESTAMP, "
                                 "CURRENT_TIMESTAMP)"))
    finally:
        await target.dispose()
        if cleanup:
            admin, name = cleanup
            async with admin.engine.connect() as c:
                await c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()
