"""The phone's offline judgement equals what a real server stores, for a table of outfalls each with
its own discharge standard, grade and approved limits (issue 19's rules; issue 16's phone).

A supervisor assigns the standards on the server; the inspector's phone downloads the register
(the standard, grade, approved limits and receiving target come with each outfall), judges the
readings with no server at hand (limits.assess), then sends the inspections; every measurement row
the server wrote must carry the same limit, bound, standard label, verdict and basis."""
from __future__ import annotations

import random
import uuid

from mobile.core import actions, limits
from mobile.core.client import Client
from mobile.core.device import Fix
from mobile.core.sync import SyncEngine
from server.demo.seed import demo_password
from tests.mobile.conftest import HOME_DISTRICT, login

TABLE = [  # (name, registration extras, setDischargeStandard input or None)
    ("GB 8978 一级", {}, {"standard": "GB8978", "grade": "grade1"}),
    ("GB 8978 二级", {}, {"standard": "GB8978", "grade": "grade2"}),
    ("GB 18918 1A", {"category": "URBAN_SEWAGE_PLANT"}, {"standard": "GB18918", "grade": "1A"}),
    ("GB 18918 二级", {"category": "URBAN_SEWAGE_PLANT"}, {"standard": "GB18918", "grade": "2"}),
    ("待确定", {"category": "INDUSTRIAL"}, None),
    ("雨洪排口", {"subtype": "other.urban_storm"}, None),
    ("行业标准+批复限值", {"category": "INDUSTRIAL"}, {
        "standard": "SECTOR", "sectorStandard": "GB 13456-2012", "approvedLimits": [
            {"parameter": "COD", "limitMax": 80.0}, {"parameter": "PH", "limitMin": 6.0, "limitMax": 9.0},
            {"parameter": "DO", "limitMin": 3.0}]}),
    ("一级+更严的批复 COD", {}, {"standard": "GB8978", "grade": "grade1",
                           "approvedLimits": [{"parameter": "COD", "limitMax": 50.0}]}),
    ("GB 18596 未录入限值", {"category": "AGRICULTURAL"}, {"standard": "GB18596"}),
    ("长江干流（目标 II 类）", {"riverCode": "YANGTZE"}, {"standard": "GB8978", "grade": "grade1"}),
    ("嘉陵江 IV 类", {"riverCode": "JIALING", "waterClass": "IV"}, {"standard": "GB8978", "grade": "grade2"}),
    ("嘉陵江 目标未定", {"riverCode": "JIALING"}, {"standard": "GB8978", "grade": "grade1"}),
]
EFFLUENT = {"COD": 90.0, "NH3_N": 9.0, "PH": 9.3, "DO": 2.5, "TP": 0.8, "BOD5": 25.0, "WATER_TEMP": 10.0}
RIVER = {"COD": 18.0, "NH3_N": 0.8, "DO": 5.5, "TP": 0.15, "PH": 7.0, "CODMN": 5.0}


def _register_table(server) -> dict[str, str]:
    """name -> server id of each outfall, registered and assigned its standard by the supervisor."""
    ids = {}
    with login(server, "supervisor") as sup:
        for i, (name, extra, standard) in enumerate(TABLE):
            tag = f"{name} {uuid.uuid4().hex[:6]}"
            o = sup.register_outfall({"clientId": str(uuid.uuid4()), "name": tag, "category": "OTHER",
                                      "riverCode": "YANGTZE", "districtCode": HOME_DISTRICT,
                                      "location": {"lat": 29.552 + i * 0.0004, "lon": 106.560, "accuracyM": 5.0},
                                      **extra})
            if standard is not None:
                sup.execute("mutation($id: ID!, $i: SetDischargeStandardInput!) { setDischargeStandard(id: $id, "
                            "input: $i) { id } }", {"id": o["id"], "i": standard})
            ids[name] = o["id"]
    return ids


def test_phone_judges_each_outfall_as_the_server_does(store, server):
    ids = _register_table(server)
    client = Client(server.url, timeout=10)
    actions.sign_in(store, client, "inspector", demo_password("inspector"))
    engine = SyncEngine(store, client, base_delay_s=0.01, max_delay_s=0.05, rng=random.Random(3))
    engine.refresh_cache()
    rows = store.limits()
    phone: dict[tuple[str, str, str], limits.Judgement] = {}
    sent = {}
    for name, _extra, _std in TABLE:
        outfall = store.outfall(ids[name])  # the cached copy: what the phone has with no signal
        assert outfall["dischargeStandard"] and "approvedLimits" in outfall and "receivingTarget" in outfall
        for sample, readings in (("EFFLUENT", EFFLUENT), ("UPSTREAM", RIVER)):
            for j in limits.assess_all(rows, outfall, readings, sample_type=sample):
                phone[(ids[name], sample, j.parameter)] = j
            item = actions.record_inspection(store, outfall=outfall, position=Fix(29.55, 106.56, 5.0),
                                             measurements=readings, sample_type=sample)
            sent[item.client_id] = (name, sample)
    assert engine.sync(max_seconds=60).failed == 0
    server_rows = server.sql(
        "SELECT i.outfall_id, COALESCE(m.sample_type, 'EFFLUENT'), m.parameter, m.\"limit\", m.limit_low, m.standard, "
        "m.exceeded, m.basis, m.note FROM measurements m JOIN inspections i ON i.id = m.inspection_id "
        f"WHERE i.client_id IN ({','.join('?' * len(sent))})", tuple(sent))
    assert len(server_rows) == len(phone) == len(TABLE) * (len(EFFLUENT) + len(RIVER))
    judged = {"DISCHARGE": 0, "APPROVED": 0, "RECEIVING_WATER": 0, None: 0}
    for oid, sample, param, limit, low, standard, exceeded, basis, note in server_rows:
        j = phone[(str(oid), sample, param)]
        where = (next(n for n, i in ids.items() if i == str(oid)), sample, param)
        assert (j.limit, j.limit_low, j.standard, j.exceeded, j.basis) == (limit, low, standard, bool(exceeded),
                                                                            basis), where
        assert (j.reason is None) == (note is None), where
        judged[basis] += 1
    # The table exercises every way of judging, and of not judging.
    assert all(judged.values()), judged
    reasons = {j.reason for j in phone.values()}
    assert {"UNASSIGNED", "STORMWATER", "NO_TABLE", "NOT_SET", "NO_TARGET"} <= reasons, reasons
    client.close()
