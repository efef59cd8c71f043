"""Control characters (and other text that is not text) are refused at write time, naming the field
(issue 12 item 5; the rule is server/domain/text.py).

Every String/ID input of every mutation is found in schema.graphql, so a new field is covered without a
word here: each gets a control character and must answer BAD_USER_INPUT naming exactly that field, with
nothing written. The old code accepted a name with control characters, which then broke the XLSX export.
"""
from __future__ import annotations

import copy
import uuid

import pytest

from server.domain.errors import BadInput
from server.domain.text import EXEMPT, MULTILINE, check_text
from tests.server.api.schema_inputs import field_name, operation, schema, set_path, text_leaves
from tests.server.api.test_atomic_writes import changed, snapshot
from tests.server.api.test_loop_api import REGISTER, SITE


def cases():
    for fname, f in schema().mutation_type.fields.items():
        for arg, a in f.args.items():
            for path, _ in text_leaves(a.type, (arg,)):
                yield fname, arg, path


async def test_every_text_input_of_every_mutation_refuses_control_characters(gql, db, users):
    sup = await gql.as_("supervisor")
    before = await snapshot(db)
    checked = 0
    for fname, arg, path in cases():
        name = field_name(path, arg)
        if path[-1] in EXEMPT:
            continue
        doc, variables = operation(fname)
        multiline = path[-1] in MULTILINE
        bads = ["前\x07后", "前\x00后", "\u202e后前", "前\x1b[31m后"] + ([] if multiline else ["前\n后", "前\t后"])
        for bad in bads:
            v = copy.deepcopy(variables)
            set_path(v, schema().mutation_type.fields[fname], path, bad)
            err = await sup.error(doc, v)
            assert (err["extensions"]["code"], err["extensions"].get("field")) == ("BAD_USER_INPUT", name), \
                (fname, name, repr(bad), err)
            checked += 1
    assert checked > 100, checked
    assert changed(before, await snapshot(db)) == []


async def test_free_text_keeps_its_line_breaks_and_names_stay_one_line(gql, users):
    sup = await gql.as_("supervisor")
    reg = {"clientId": str(uuid.uuid4()), "name": "多行\n排口", "category": "OTHER", "riverCode": "YANGTZE",
           "districtCode": "500103", "location": {"lat": SITE[0], "lon": SITE[1]}}
    err = await sup.error(REGISTER, {"i": reg})
    assert (err["extensions"]["code"], err["extensions"]["field"]) == ("BAD_USER_INPUT", "name")
    assert "line break" in err["message"]
    oid = (await sup(REGISTER, {"i": {**reg, "name": "单行排口"}}))["registerOutfall"]["id"]
    task = {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "多行说明",
            "outfallId": oid, "description": "第一行\r\n第二行\t（附表）"}
    t = (await sup("mutation($i: CreateTaskInput!) { createTask(input: $i) { description } }", {"i": task}))
    assert t["createTask"]["description"] == "第一行\r\n第二行\t（附表）"


async def test_a_password_is_checked_whatever_it_holds(gql, users):
    err = await gql.error('mutation { login(username: "admin", password: "a\\u0007b") { token } }')
    assert err["extensions"]["code"] == "UNAUTHENTICATED", err


def test_the_rule_itself():
    assert check_text("渝中区 朝天门 No.3 — «A»", "name") == "渝中区 朝天门 No.3 — «A»"
    for bad, what in (("a\x85b", "U+0085"), ("a\ud800b", "U+D800"), ("a\u2066b", "U+2066"), ("a\x7fb", "U+007F")):
        with pytest.raises(BadInput) as e:
            check_text(bad, "approvedLimits[0].basis")
        assert e.value.field == "approvedLimits[0].basis" and what in e.value.message
    assert check_text("一\n二", "measurements[0].note") == "一\n二"  # the leaf decides: a note
