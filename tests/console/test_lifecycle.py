"""The outfall's life in the console (issue 19): a supervisor walks a suspected outfall to verified, traced,
a plan, accepted and 销号; a tracing record is rejected with a reason (and not without one); inspectors and
officers get no supervisor action (and the server refuses one sent anyway); readings are judged against the
outfall's standard with 超标倍数; a task is taken in from a complaint with its reference; the brief's district
assessment says nothing about pass or fail while the city's targets are unset. Screenshots of these views in
both languages (1366×768, a full-height one, and 1920×1080) go to artifacts/console, each audited by axe-core."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
import pytest

from tests.console.conftest import CST, HOME, OTHER, assert_accessible, create_task, screenshot

USCC = "91500103MA5U00000D"  # check character computed with python-stdnum (GB 32100-2015)


def register(s, token: str, *, name: str, suspected: bool = False, district: str = HOME,
             where: tuple[float, float] = (29.5702, 106.5601), category: str = "INDUSTRIAL",
             river: str = "JIALING") -> dict:
    i = {"clientId": str(uuid.uuid4()), "name": name, "category": category, "riverCode": river,
         "districtCode": district, "location": {"lat": where[0], "lon": where[1]}, "suspected": suspected}
    return s.gql("mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) { id code location { lat lon } } }",
                 {"i": i}, token)["registerOutfall"]


def photo_file(tmp_path, o: dict, seed: int):
    from tests.factories.images import make_jpeg

    data = make_jpeg(640, 480, seed=seed, taken_at=datetime.now(CST) - timedelta(seconds=30),
                     gps=(o["location"]["lat"], o["location"]["lon"]))
    p = tmp_path / f"plug-{seed}.jpg"
    p.write_bytes(data)
    return p


def tall_screenshot(page, name: str) -> None:
    """The whole page (the console scrolls inside .content, so the viewport grows to fit, then shrinks back)."""
    vp = page.viewport_size
    h = page.evaluate("document.querySelector('.content').scrollHeight + 44")
    page.set_viewport_size({"width": vp["width"], "height": min(max(h, vp["height"]), 6000)})
    page.wait_for_timeout(400)
    screenshot(page, name)
    page.set_viewport_size(vp)


OUTFALL_Q = """query($id: ID!) { outfall(id: $id) { status phase verification remediation
  remediationPlan { type status } tracingRecords { status party { name uscc } } } }"""


def test_a_supervisor_walks_a_suspected_outfall_to_close_out(pages, server, tmp_path):
    sup_token = server.token("supervisor")
    o = register(server, sup_token, name="遥感疑似排口 全周期", suspected=True)
    page = pages.as_("supervisor")
    page.goto(server.url + f"/console/#/outfall/{o['id']}")
    page.wait_for_selector("[data-testid=verification][data-state=SUSPECTED]")
    assert page.locator("[data-action=create-plan]").count() == 0, "a suspected outfall takes no plan"
    assert page.locator("[data-testid=public-link]").count() == 0, "no public page for a suspect"
    screenshot(page, "life-suspected-zh")

    # 查: verified on site.
    page.click("[data-action=verify]")
    page.wait_for_selector("[data-testid=verification][data-state=VERIFIED]")
    page.wait_for_selector("[data-testid=public-link] a[href$='/public/outfalls/" + o["code"] + "']")
    public = httpx.get(page.get_attribute("[data-testid=public-link] a", "href"), timeout=30)
    assert public.status_code == 200 and o["code"] in public.text  # the server's own page, no sign-in

    # 溯: a record with the party, its USCC, sources and methods, then the city's review.
    page.click("[data-action=submit-tracing]")
    form = page.locator("[data-testid=tracing-form]")
    form.locator("input[name=partyName]").fill("重庆某化工有限公司")
    form.locator("select[name=partyType]").select_option("ENTERPRISE")
    form.locator("input[name=uscc]").fill(USCC)
    form.locator("input[name=contact]").fill("023-12345678")
    form.locator("textarea[name=sources]").fill("生产废水\n初期雨水")
    form.locator("input[name=methods][value=PIPE_INSPECTION]").check()
    form.locator("input[name=methods][value=DYE_TEST]").check()
    form.locator("textarea[name=report]").fill("CCTV 管道检测与染色示踪确认来自该公司厂区。")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=tracing-record][data-status=SUBMITTED]")
    assert USCC in page.text_content("[data-testid=tracing-party]")
    page.click("[data-action=tracing-approve]")
    page.wait_for_selector("[data-testid=tracing-record][data-status=APPROVED]")
    page.wait_for_selector("[data-step=TRACED][data-done='1']")

    # 治: one plan (取缔), the evidence of plugging uploaded from the desk, acceptance asked.
    page.click("[data-action=create-plan]")
    form = page.locator("[data-testid=plan-form]")
    form.locator("select[name=type]").select_option("BAN")
    form.locator("textarea[name=measures]").fill("封堵排口，拆除排污管道")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=plan-card][data-status=IN_PROGRESS]")
    page.wait_for_selector("li[data-item=PLUGGING_EVIDENCE][data-missing='1']")
    assert page.is_disabled("[data-action=request-acceptance]"), "acceptance cannot be asked with an item missing"
    page.click("[data-action=evidence-PLUGGING_EVIDENCE]")
    form = page.locator("[data-testid=evidence-form-PLUGGING_EVIDENCE]")
    form.locator("input[name=photos]").set_input_files(str(photo_file(tmp_path, o, seed=901)))
    form.locator("input[name=note]").fill("已用混凝土封堵")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("li[data-item=PLUGGING_EVIDENCE][data-missing='0'] .thumbs img", timeout=30_000)
    page.click("[data-action=request-acceptance]")
    page.wait_for_selector("[data-testid=plan-card][data-status=SUBMITTED]")

    # 验收 and 销号 by the city: a ban ends in 注销.
    page.click("[data-action=plan-approve]")
    page.wait_for_selector("[data-testid=plan-card][data-status=ACCEPTED]")
    page.click("[data-action=close-out]")
    page.click("[data-action=close-out-confirm]")
    page.wait_for_selector("[data-testid=plan-card][data-status=CLOSED_OUT]")
    page.wait_for_selector("[data-testid=outfall-closed]")
    assert page.get_attribute("[data-step=CLOSED_OUT]", "aria-current") == "step"
    assert all(page.get_attribute(f"[data-step={k}]", "data-done") == "1"
               for k in ("SUSPECTED", "VERIFIED", "TRACED", "PLANNED", "ACCEPTED", "CLOSED_OUT"))
    tall_screenshot(page, "life-closed-out-full-zh")

    got = server.gql(OUTFALL_Q, {"id": o["id"]}, sup_token)["outfall"]
    assert got["verification"] == "VERIFIED" and got["status"] == "CLOSED" and got["phase"] == "REMEDIATED"
    assert got["remediationPlan"] == {"type": "BAN", "status": "CLOSED_OUT"}
    assert got["tracingRecords"] == [{"status": "APPROVED", "party": {"name": "重庆某化工有限公司", "uscc": USCC}}]
    assert not page.errors


def test_an_undetermined_record_is_rejected_only_with_a_reason(pages, server):
    o = register(server, server.token("supervisor"), name="无法查明的排口", where=(29.5712, 106.5622))
    # The inspector of the district says it cannot be determined, and why.
    ins = pages.as_("inspector")
    ins.goto(server.url + f"/console/#/outfall/{o['id']}")
    ins.click("[data-action=submit-tracing]")
    form = ins.locator("[data-testid=tracing-form]")
    form.locator("text=无法查明").click()
    form.locator("textarea[name=undeterminedReason]").fill("管网错综复杂，走访无结果")
    form.locator("input[name=methods][value=INTERVIEW]").check()
    form.locator("button[type=submit]").click()
    ins.wait_for_selector("[data-testid=tracing-record][data-status=SUBMITTED]")
    text = ins.text_content("[data-testid=tracing-record]")
    assert "管网错综复杂" in text and "渝中区人民政府" in text  # 政府兜底
    assert ins.locator("[data-action=tracing-approve]").count() == 0, "an inspector does not review"

    sup = pages.as_("supervisor")
    sup.goto(server.url + f"/console/#/outfall/{o['id']}")
    # By keyboard: the reject button opens the reason box with the focus in it.
    sup.focus("[data-action=tracing-reject]")
    sup.keyboard.press("Enter")
    sup.wait_for_selector("textarea[name=tracing-reason]:focus")
    sup.keyboard.press("Tab")  # to the reject button, with no reason typed: refused before anything is sent
    sup.keyboard.press("Enter")
    sup.wait_for_selector("[data-testid=tracing-card] [role=alert]")
    assert sup.locator("[data-testid=tracing-record][data-status=SUBMITTED]").count() == 1
    sup.focus("textarea[name=tracing-reason]")
    sup.keyboard.type("未附走访记录，请补充")
    sup.keyboard.press("Tab")
    sup.keyboard.press("Enter")
    sup.wait_for_selector("[data-testid=tracing-record][data-status=REJECTED]")
    assert sup.text_content("[data-testid=tracing-reason]") == "未附走访记录，请补充"
    r = server.gql("query($id: ID!) { outfall(id: $id) { phase tracingRecords { status determined reviewReason } } }",
                   {"id": o["id"]}, server.token("supervisor"))["outfall"]
    assert r["tracingRecords"] == [{"status": "REJECTED", "determined": False, "reviewReason": "未附走访记录，请补充"}]
    assert r["phase"] != "TRACED"
    assert not sup.errors and not ins.errors


SUPERVISOR_ACTIONS = ["set-standard", "set-receiving", "record-permit", "set-codes", "create-plan", "tracing-approve",
                      "tracing-reject", "plan-approve", "plan-reject", "close-out"]


def test_officers_and_inspectors_get_no_supervisor_action(pages, server):
    sup = server.token("supervisor")
    target = register(server, sup, name="并入的主排口", where=(29.5650, 106.5700))
    a = register(server, sup, name="待合并的排口", where=(29.5655, 106.5705))
    suspect = register(server, sup, name="本区疑似排口", suspected=True, where=(29.5660, 106.5710))
    elsewhere = register(server, sup, name="外区疑似排口", suspected=True, district=OTHER, where=(29.5560, 106.4560))
    server.gql("""mutation($i: SubmitTracingRecordInput!) { submitTracingRecord(input: $i) { id } }""", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": a["id"], "party": {"name": "某物业公司", "type": "ENTERPRISE", "uscc": USCC},
        "sources": ["生活污水"], "methods": ["FIELD_SURVEY"]}}, server.token("inspector"))
    server.gql("""mutation($i: CreateRemediationPlanInput!) { createRemediationPlan(input: $i) { id } }""", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": a["id"], "type": "MERGE", "measures": "接入市政管网",
        "deadline": (datetime.now(CST) + timedelta(days=60)).date().isoformat(), "mergedIntoId": target["id"]}}, sup)

    for who in ("inspector", "officer"):
        page = pages.as_(who)
        page.goto(server.url + f"/console/#/outfall/{a['id']}")
        page.wait_for_selector("[data-testid=tracing-record][data-status=SUBMITTED]")
        page.wait_for_selector("[data-testid=plan-card][data-status=IN_PROGRESS]")
        for action in SUPERVISOR_ACTIONS:
            assert page.locator(f"[data-action={action}]").count() == 0, f"{who} was offered {action}"
        page.goto(server.url + f"/console/#/outfall/{suspect['id']}")
        page.wait_for_selector(f"[data-testid=profile-code]:text-is('{suspect['code']}')")
        page.wait_for_selector("[data-testid=verification][data-state=SUSPECTED]")
        # An inspector verifies a suspect of their own district; an officer does not.
        assert page.locator("[data-action=verify]").count() == (1 if who == "inspector" else 0)
        page.goto(server.url + f"/console/#/outfall/{elsewhere['id']}")
        page.wait_for_selector(f"[data-testid=profile-code]:text-is('{elsewhere['code']}')")
        page.wait_for_selector("[data-testid=verification][data-state=SUSPECTED]")
        assert page.locator("[data-action=verify]").count() == 0, f"{who} offered to verify another district's suspect"
        assert not page.errors

    # An integrator reads the register but not tracing records (they name contacts), and acts on nothing.
    page = pages.as_("integrator")
    page.goto(server.url + f"/console/#/outfall/{a['id']}")
    page.wait_for_selector("[data-testid=plan-card][data-status=IN_PROGRESS]")
    assert page.locator("section.life [data-action]").count() == 0
    assert page.locator("[data-testid=tracing-record]").count() == 0 and "联系人" in page.text_content("[data-testid=tracing-card]")
    assert not page.errors

    # The officer asks for acceptance (the district's step) but cannot accept it, and the server refuses
    # the city's mutation sent by hand from the officer's session.
    page = pages.as_("officer")
    page.goto(server.url + f"/console/#/outfall/{a['id']}")
    page.click("[data-action=request-acceptance]")
    page.wait_for_selector("[data-testid=plan-card][data-status=SUBMITTED]")
    assert page.locator("[data-action=plan-approve]").count() == 0
    plan_id = server.gql("query($id: ID!) { outfall(id: $id) { remediationPlan { id } } }", {"id": a["id"]},
                         sup)["outfall"]["remediationPlan"]["id"]
    code = page.evaluate("""async (id) => { const r = await fetch('/graphql', { method: 'POST', headers: {
        'Content-Type': 'application/json', Authorization: 'Bearer ' + localStorage.getItem('outfallwatch.token') },
        body: JSON.stringify({ query: 'mutation($id: ID!) { reviewRemediationPlan(id: $id, decision: ACCEPT) { id } }',
                               variables: { id } }) });
        const b = await r.json(); return b.errors && b.errors[0].extensions.code; }""", plan_id)
    assert code == "FORBIDDEN"

    # The supervisor accepts it and strikes it off: merged, the outfall is closed and linked.
    page = pages.as_("supervisor")
    page.goto(server.url + f"/console/#/outfall/{a['id']}")
    page.click("[data-action=plan-approve]")
    page.wait_for_selector("[data-testid=plan-card][data-status=ACCEPTED]")
    page.click("[data-action=close-out]")
    page.click("[data-action=close-out-confirm]")
    page.wait_for_selector("[data-testid=plan-card][data-status=CLOSED_OUT]")
    got = server.gql("query($id: ID!) { outfall(id: $id) { status mergedInto { code } } }", {"id": a["id"]}, sup)["outfall"]
    assert got == {"status": "CLOSED", "mergedInto": {"code": target["code"]}}


def test_readings_are_judged_against_the_outfalls_standard(pages, server):
    sup = server.token("supervisor")
    o = register(server, sup, name="工业排口 读数判定", where=(29.5720, 106.5640))
    page = pages.as_("supervisor")
    page.goto(server.url + f"/console/#/outfall/{o['id']}")
    page.wait_for_selector("[data-testid=standard-label]")
    # The supervisor assigns GB 8978 grade 1 in the console, then the effluent is judged against it.
    page.click("[data-action=set-standard]")
    page.select_option("select[name=standard]", "GB8978")
    page.select_option("select[name=grade]", "grade1")
    page.click("[data-testid=standard-card] button[type=submit]")
    page.wait_for_selector("[data-testid=standard-label]:has-text('GB 8978-1996')")
    page.click("[data-action=set-receiving]")
    page.select_option("select[name=waterClass]", "III")
    page.click("[data-testid=receiving-card] button[type=submit]")
    page.wait_for_selector("[data-testid=receiving-target]:has-text('III')")

    server.gql("mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": o["id"], "observedAt": datetime.now(CST).isoformat(),
        "flowing": True, "measurements": [
            {"parameter": "COD", "value": 150, "sampleType": "EFFLUENT", "method": "LAB"},
            {"parameter": "COD", "value": 18, "sampleType": "UPSTREAM", "method": "KIT"},
            {"parameter": "COD", "value": 25, "sampleType": "DOWNSTREAM", "method": "KIT"}]}}, sup)
    page.reload()
    eff = page.locator("span.reading[data-sample=EFFLUENT]")
    eff.wait_for()
    want = server.gql("""query($id: ID!) { outfall(id: $id) { inspections(first: 1) { edges { node { measurements {
        sampleType limit standard exceeded exceedanceMultiple basis } } } } } }""", {"id": o["id"]}, sup)
    ms = {m["sampleType"]: m for m in want["outfall"]["inspections"]["edges"][0]["node"]["measurements"]}
    e = ms["EFFLUENT"]
    assert e["basis"] == "DISCHARGE" and e["exceeded"] and "8978" in e["standard"]
    assert e["exceedanceMultiple"] == pytest.approx((150 - e["limit"]) / e["limit"], abs=0.01)
    assert eff.get_attribute("data-exceeded") == "1"
    assert eff.locator("[data-testid=multiple]").text_content().strip().endswith(
        str(round(e["exceedanceMultiple"], 2)).rstrip("0").rstrip("."))
    assert "按排放标准" in eff.text_content()
    up = page.locator("span.reading[data-sample=UPSTREAM]")
    assert ms["UPSTREAM"]["basis"] == "RECEIVING_WATER" and "按受纳水体目标" in up.text_content()
    assert "快检" in up.text_content(), "a kit reading is marked as screening"
    # Effluent and river water are charted apart, each against its own limit.
    labels = page.eval_on_selector_all(".card .chart[role=img]", "els => els.map(e => e.getAttribute('aria-label'))")
    # The Chinese page names the parameter in words (化学需氧量), as every other label does.
    assert any("化学需氧量" in x and "出水" in x for x in labels) and any("化学需氧量" in x and "河水" in x for x in labels)
    screenshot(page, "life-readings-zh")
    assert not page.errors


def test_a_task_from_a_complaint_with_its_reference(pages, server):
    sup = server.token("supervisor")
    o = register(server, sup, name="群众举报排口", where=(29.5730, 106.5660))
    page = pages.as_("supervisor")
    page.goto(server.url + "/console/#/tasks")
    page.click("[data-action=intake]")
    form = page.locator("[data-testid=intake-form]")
    form.locator("select[name=channel]").select_option("HOTLINE_12345")
    form.locator("input[name=reference]").fill("12345-20261201-0042")
    form.locator("input[name=title]").fill("市民反映排口冒黑水")
    form.locator("select[name=level]").select_option("MUNICIPAL")
    form.locator("input[name=outfallCode]").fill(o["code"])
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('市民反映排口冒黑水')")
    assert "12345-20261201-0042" in page.text_content("[data-testid=intake]")
    assert page.get_attribute("[data-testid=level]", "data-level") == "MUNICIPAL"
    task = server.gql("""query { tasks(first: 5, filter: {districtCode: "500103"}) { edges { node { code title source
        intakeChannel intakeReference supervisionLevel outfall { code } } } } }""", token=sup)["tasks"]["edges"]
    mine = [t["node"] for t in task if t["node"]["title"] == "市民反映排口冒黑水"]
    assert mine and mine[0]["source"] == "PUBLIC_COMPLAINT" and mine[0]["intakeChannel"] == "HOTLINE_12345"
    assert mine[0]["outfall"]["code"] == o["code"]

    # The same complaint again is refused, naming the task that has it.
    page.goto(server.url + "/console/#/tasks")
    page.wait_for_selector(f"tr[data-task='{mine[0]['code']}']")
    assert "12345-20261201-0042" in page.text_content(f"tr[data-task='{mine[0]['code']}'] [data-testid=intake]")
    page.click("[data-action=intake]")
    form = page.locator("[data-testid=intake-form]")
    form.locator("input[name=reference]").fill("12345-20261201-0042")
    form.locator("input[name=title]").fill("重复举报")
    form.locator("input[name=outfallCode]").fill(o["code"])
    form.locator("button[type=submit]").click()
    alert = form.locator("[role=alert]")
    alert.wait_for()
    assert mine[0]["code"] in alert.text_content()
    assert not page.errors


def test_the_assessment_gives_no_verdict_without_targets(pages, server):
    create_task(server, server.token("supervisor"), title="考核用任务")  # something falls due in the period
    page = pages.as_("supervisor")
    page.goto(server.url + "/console/#/brief")
    card = page.locator("[data-testid=assessment]")
    card.wait_for()
    page.wait_for_selector("[data-testid=assessment-targets]")
    assert "未设定" in page.text_content("[data-testid=assessment-targets]")
    later = (datetime.now(CST) + timedelta(days=60)).date().isoformat()
    card.locator("input[name=assessTo]").fill(later)
    page.wait_for_selector("[data-testid=assessment] tr[data-district]")
    want = server.gql("""query($f: Date!, $t: Date) { districtAssessment(from: $f, to: $t) { districts {
        districtCode due completionRate } } }""", {"f": datetime.now(CST).date().isoformat()[:8] + "01", "t": later},
                      server.token("supervisor"))["districtAssessment"]["districts"]
    assert page.locator("[data-testid=assessment] tr[data-district]").count() == len(want)
    assert card.locator(".ok, .bad").count() == 0, "no pass/fail while the targets are unset"
    assert not page.errors


# --- screenshots of the new views in both languages, audited --------------------------------------------

@pytest.fixture(scope="module")
def shown(server, tmp_path_factory):
    """An outfall with a bit of everything: permit, standard, readings, an approved and a submitted tracing
    record, a RECTIFY plan with some items done; and a complaint task."""
    sup, ins = server.token("supervisor"), server.token("inspector")
    o = register(server, sup, name="规范整治示例排口", where=(29.5740, 106.5680))
    server.gql("mutation($id: ID!, $i: SetDischargeStandardInput!) { setDischargeStandard(id: $id, input: $i) { id } }",
               {"id": o["id"], "i": {"standard": "GB8978", "grade": "grade1",
                                     "approvedLimits": [{"parameter": "COD", "limitMax": 80, "basis": "渝环排审〔2026〕12号"}]}}, sup)
    server.gql("mutation($i: RecordOutfallPermitInput!) { recordOutfallPermit(input: $i) { status } }", {"i": {
        "outfallId": o["id"], "kind": "REGISTRATION", "documentNo": "渝中环登〔2026〕7号", "authority": "重庆市渝中区生态环境局",
        "decidedOn": datetime.now(CST).date().isoformat()}}, sup)
    rec = server.gql("mutation($i: SubmitTracingRecordInput!) { submitTracingRecord(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": o["id"], "party": {"name": "重庆某食品有限公司", "type": "ENTERPRISE",
        "uscc": USCC, "contact": "023-66668888"}, "sources": ["生产废水", "生活污水"], "methods": ["PIPE_INSPECTION", "WATER_QUALITY"],
        "report": "管网排查与水质比对"}}, ins)["submitTracingRecord"]
    server.gql("mutation($id: ID!) { reviewTracingRecord(id: $id, decision: APPROVE) { id } }", {"id": rec["id"]}, sup)
    server.gql("mutation($i: CreateRemediationPlanInput!) { createRemediationPlan(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": o["id"], "type": "RECTIFY", "measures": "设置采样点、检查井和带二维码标识牌",
        "deadline": (datetime.now(CST) + timedelta(days=90)).date().isoformat(), "onlineMonitoringRequired": True}}, sup)
    server.gql("mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": o["id"], "observedAt": datetime.now(CST).isoformat(), "flowing": True,
        "measurements": [{"parameter": "COD", "value": 95, "sampleType": "EFFLUENT", "method": "LAB"},
                         {"parameter": "NH3_N", "value": 6, "sampleType": "EFFLUENT", "method": "KIT"},
                         {"parameter": "COD", "value": 16, "sampleType": "UPSTREAM", "method": "KIT"},
                         {"parameter": "COD", "value": 21, "sampleType": "DOWNSTREAM", "method": "KIT"}]}}, sup)
    t = server.gql("mutation($i: CreateTaskInput!) { createTask(input: $i) { id code } }", {"i": {
        "clientId": str(uuid.uuid4()), "kind": "ILLEGAL_DISCHARGE", "source": "RIVER_CHIEF", "title": "河长交办：排口异味",
        "districtCode": HOME, "outfallId": o["id"], "intake": {"channel": "RIVER_CHIEF", "reference": "HZ-2026-118"},
        "supervisionLevel": "LISTED", "deadline": (datetime.now(CST) + timedelta(days=5)).isoformat()}}, sup)["createTask"]
    return {"outfall": o, "task": t}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_life_views_in_both_languages(pages, server, shown, lang):
    o, task = shown["outfall"], shown["task"]
    for width, height, suffix in ((1366, 768, ""), (1920, 1080, "-1920")):
        page = pages.as_("supervisor", lang=lang, width=width, height=height)
        page.goto(server.url + f"/console/#/outfall/{o['id']}")
        page.wait_for_selector("[data-testid=plan-card][data-status=IN_PROGRESS]")
        page.wait_for_selector(".card .chart canvas", timeout=30_000)
        page.wait_for_timeout(700)
        screenshot(page, f"life-profile{suffix}-{lang}")
        if lang == "zh":  # the reader sees words, never the API's codes (river, reach status, parameter)
            shown_text = page.text_content(".page.profile") + " ".join(page.eval_on_selector_all(
                ".card .chart[role=img]", "els => els.map(e => e.getAttribute('aria-label'))"))
            assert "氨氮" in shown_text and "未核实" in shown_text
            assert not [c for c in ("JIALING", "YANGTZE", "UNVERIFIED", "NH3_N", "NH3-N") if c in shown_text]
        if not suffix:
            tall_screenshot(page, f"life-profile-full-{lang}")
            assert_accessible(page, f"life profile ({lang})")
            page.click("[data-action=submit-tracing]")
            page.click("[data-action=set-standard]")
            page.click("[data-action=evidence-SAMPLING_POINT]")
            page.wait_for_timeout(300)
            tall_screenshot(page, f"life-profile-forms-{lang}")
            assert_accessible(page, f"life profile forms ({lang})")

        page.goto(server.url + "/console/#/tasks")
        page.wait_for_selector(f"tr[data-task='{task['code']}'] [data-testid=intake]")
        screenshot(page, f"life-ledger{suffix}-{lang}")
        if not suffix:
            assert_accessible(page, f"ledger with intake ({lang})")
            page.click("[data-action=intake]")
            page.wait_for_selector("[data-testid=intake-form]")
            screenshot(page, f"life-intake-{lang}")
            assert_accessible(page, f"intake form ({lang})")

        page.goto(server.url + f"/console/#/task/{task['id']}")
        page.wait_for_selector("[data-testid=level][data-level=LISTED]")
        if not suffix:
            screenshot(page, f"life-task-{lang}")
            assert_accessible(page, f"task with intake ({lang})")

        page.goto(server.url + "/console/#/life")
        page.wait_for_selector(f"[data-testid=queue-progress] tr[data-outfall='{o['code']}']")
        screenshot(page, f"life-queue{suffix}-{lang}")
        if not suffix:
            assert_accessible(page, f"life queue ({lang})")

        page.goto(server.url + "/console/#/brief")
        page.wait_for_selector("[data-testid=assessment-targets]")
        page.fill("input[name=assessTo]", (datetime.now(CST) + timedelta(days=60)).date().isoformat())
        page.wait_for_selector("[data-testid=assessment] tr[data-district]")
        page.wait_for_timeout(700)
        if not suffix:  # the exceedances say what was sampled and what it was judged against
            table = page.locator("[data-testid=exceedance-table]")
            assert ("出水" if lang == "zh" else "Effluent") in table.text_content()
        page.locator("[data-testid=assessment]").scroll_into_view_if_needed()
        screenshot(page, f"life-brief{suffix}-{lang}")
        if not suffix:
            assert_accessible(page, f"brief with assessment ({lang})")
        assert not page.errors


def execute(s, sql_sqlite: str, sql_pg: str, *args) -> None:
    """A write straight into the server's database, for what only time does (a deadline long past)."""
    if not s.database_url:
        import re
        import sqlite3

        with sqlite3.connect(s.data_dir / "outfallwatch.db") as c:
            c.execute(re.sub(r"\$\d+", "?", sql_sqlite), args)
        return
    from tests.console.conftest import _pg

    _pg(s.database_url, lambda c: c.execute(sql_pg, *args))


def test_a_late_task_escalates_and_the_ledger_shows_it(pages, server):
    import os
    import subprocess

    from tests.console.conftest import BIN

    task = create_task(server, server.token("supervisor"), title="逾期升级的任务")
    execute(server, "UPDATE tasks SET deadline = datetime('now', '-10 days') WHERE id = $1",
            "UPDATE tasks SET deadline = now() - interval '10 days' WHERE id = $1", int(task["id"]))
    env = {**os.environ, "OUTFALLWATCH_DATA_DIR": str(server.data_dir)}
    env.pop("OUTFALLWATCH_DATABASE_URL", None)
    if server.database_url:
        env["OUTFALLWATCH_DATABASE_URL"] = server.database_url
    r = subprocess.run([str(BIN / "outfallwatch"), "tick", "--only", "escalation"], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    page = pages.as_("officer")
    page.goto(server.url + "/console/#/tasks")
    row = page.locator(f"tr[data-task='{task['code']}']")
    row.wait_for()
    assert row.locator("[data-testid=level]").get_attribute("data-level") == "MUNICIPAL"
    assert "升级于" in row.text_content()
    row.locator(f"a:text-is('{task['code']}')").click()
    page.wait_for_selector("[data-testid=escalated]:has-text('市级督办')")
    assert not page.errors


def test_a_rectification_is_refused_at_acceptance_then_accepted(pages, server, tmp_path):
    """规范: the standardised-construction items as photos, the re-test chosen from the outfall's inspections,
    acceptance refused with a reason (back in progress, the reason shown), asked again and accepted; 销号
    leaves the outfall in use. Also a shared outfall's co-party and a protected zone entered from its plan."""
    sup = server.token("supervisor")
    o = register(server, sup, name="规范化整治排口", where=(29.5750, 106.5690))
    server.gql("mutation($id: ID!, $i: SetDischargeStandardInput!) { setDischargeStandard(id: $id, input: $i) { id } }",
               {"id": o["id"], "i": {"standard": "GB8978", "grade": "grade1"}}, sup)
    page = pages.as_("supervisor")
    page.goto(server.url + f"/console/#/outfall/{o['id']}")
    # A shared outfall: the main party and another.
    page.click("[data-action=submit-tracing]")
    form = page.locator("[data-testid=tracing-form]")
    form.locator("input[name=partyName]").fill("重庆某园区管委会")
    form.locator("select[name=partyType]").select_option("INSTITUTION")
    form.locator("[data-action=add-coparty]").click()
    form.locator("input[name=coName0]").fill("重庆某化工有限公司")
    form.locator("input[name=coUscc0]").fill(USCC)
    form.locator("textarea[name=sources]").fill("园区雨污混流")
    form.locator("input[name=methods][value=FIELD_SURVEY]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=tracing-record][data-status=SUBMITTED]")
    assert "重庆某化工有限公司" in page.text_content("[data-testid=tracing-record]")
    # A protected zone around it, with its source.
    page.click("[data-action=record-zone]")
    form = page.locator("[data-testid=zone-form]")
    form.locator("input[name=zoneName]").fill("某水厂取水口一级保护区")
    form.locator("input[name=zoneSource]").fill("渝府〔2026〕1号 饮用水水源保护区划分方案")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=receiving-card] li:has-text('渝府〔2026〕1号')")

    page.click("[data-action=create-plan]")
    form = page.locator("[data-testid=plan-form]")
    form.locator("select[name=type]").select_option("RECTIFY")
    form.locator("textarea[name=measures]").fill("设置采样点、检查井，安装带二维码标识牌")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=plan-card][data-status=IN_PROGRESS]")
    items = page.eval_on_selector_all("[data-testid=plan-card] li[data-item]", "els => els.map(e => e.dataset.item)")
    assert items == ["SAMPLING_POINT", "INSPECTION_WELL", "SIGNBOARD_QR", "PASSING_RETEST"]
    for k, item in enumerate(items[:3]):
        page.click(f"[data-action=evidence-{item}]")
        form = page.locator(f"[data-testid=evidence-form-{item}]")
        form.locator("input[name=photos]").set_input_files(str(photo_file(tmp_path, o, seed=950 + k)))
        form.locator("button[type=submit]").click()
        page.wait_for_selector(f"li[data-item={item}][data-missing='0']", timeout=30_000)
    # The re-test: an effluent reading within GB 8978 grade 1, recorded after the plan.
    server.gql("mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": o["id"], "observedAt": datetime.now(CST).isoformat(), "flowing": True,
        "measurements": [{"parameter": "COD", "value": 60, "sampleType": "EFFLUENT", "method": "LAB"}]}}, sup)
    page.reload()
    page.click("[data-action=evidence-PASSING_RETEST]")
    form = page.locator("[data-testid=evidence-form-PASSING_RETEST]")
    assert "化学需氧量 60" in form.locator("select[name=inspection]").text_content()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("li[data-item=PASSING_RETEST][data-missing='0']")
    page.click("[data-action=request-acceptance]")
    page.wait_for_selector("[data-testid=plan-card][data-status=SUBMITTED]")

    page.click("[data-action=plan-reject]")
    page.fill("textarea[name=plan-reason]", "检查井未加盖，请整改")
    page.click("[data-action=plan-reject-confirm]")
    page.wait_for_selector("[data-testid=plan-card][data-status=IN_PROGRESS]")
    assert page.text_content("[data-testid=plan-reason]") == "检查井未加盖，请整改"
    page.click("[data-action=request-acceptance]")
    page.wait_for_selector("[data-testid=plan-card][data-status=SUBMITTED]")
    page.click("[data-action=plan-approve]")
    page.wait_for_selector("[data-testid=plan-card][data-status=ACCEPTED]")
    page.click("[data-action=close-out]")
    page.click("[data-action=close-out-confirm]")
    page.wait_for_selector("[data-testid=plan-card][data-status=CLOSED_OUT]")
    assert page.locator("[data-testid=outfall-closed]").count() == 0, "a rectified outfall stays in use"
    tall_screenshot(page, "life-rectified-full-zh")
    got = server.gql("""query($id: ID!) { outfall(id: $id) { status phase remediationPlan { status evidence { item passed } }
        receivingWater { zones { name source } } tracingRecords { coParties { name uscc } } } }""", {"id": o["id"]}, sup)["outfall"]
    assert got["status"] == "ACTIVE" and got["phase"] == "REMEDIATED" and got["remediationPlan"]["status"] == "CLOSED_OUT"
    assert {e["item"] for e in got["remediationPlan"]["evidence"]} == set(items)
    assert got["receivingWater"]["zones"][0]["source"].startswith("渝府〔2026〕1号")
    assert got["tracingRecords"][0]["coParties"] == [{"name": "重庆某化工有限公司", "uscc": USCC}]
    assert not page.errors


def test_the_life_queue_shows_what_waits_and_opens_the_profile(pages, server):
    sup = server.token("supervisor")
    target = register(server, sup, name="队列 并入的排口", where=(29.5660, 106.5720))
    a = register(server, sup, name="队列 待验收的排口", where=(29.5665, 106.5725))
    b = register(server, sup, name="队列 待审溯源的排口", where=(29.5670, 106.5730))
    server.gql("mutation($i: SubmitTracingRecordInput!) { submitTracingRecord(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": b["id"], "determined": False, "undeterminedReason": "无人认领",
        "methods": ["INTERVIEW"]}}, server.token("inspector"))
    plan = server.gql("mutation($i: CreateRemediationPlanInput!) { createRemediationPlan(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": a["id"], "type": "MERGE", "measures": "并入", "mergedIntoId": target["id"],
        "deadline": (datetime.now(CST) + timedelta(days=30)).date().isoformat()}}, sup)["createRemediationPlan"]
    server.gql("mutation($id: ID!) { requestPlanAcceptance(id: $id) { id } }", {"id": plan["id"]}, server.token("officer"))

    page = pages.as_("supervisor")
    page.goto(server.url + "/console/#/life")
    page.wait_for_selector(f"[data-testid=queue-tracing] tr[data-outfall='{b['code']}']")
    page.wait_for_selector(f"[data-testid=queue-submitted] tr[data-outfall='{a['code']}']")
    assert page.locator(f"[data-testid=queue-accepted] tr[data-outfall='{a['code']}']").count() == 0
    page.click(f"[data-testid=queue-submitted] tr[data-outfall='{a['code']}'] a")
    page.wait_for_selector(f"[data-testid=profile-code]:text-is('{a['code']}')")
    page.click("[data-action=plan-approve]")
    page.wait_for_selector("[data-testid=plan-card][data-status=ACCEPTED]")
    page.goto(server.url + "/console/#/life")
    page.wait_for_selector(f"[data-testid=queue-accepted] tr[data-outfall='{a['code']}']")
    assert page.locator(f"[data-testid=queue-submitted] tr[data-outfall='{a['code']}']").count() == 0
    assert not page.errors


def test_the_queue_lists_suspects_to_verify(pages, server):
    sup = server.token("supervisor")
    s = register(server, sup, name="队列 待核实的疑似排口", suspected=True, where=(29.5690, 106.5710))
    onsite = register(server, sup, name="队列 现场登记的排口", where=(29.5692, 106.5712))
    page = pages.as_("supervisor")
    page.goto(server.url + "/console/#/life")
    row = page.locator(f"[data-testid=queue-suspected] tr[data-outfall='{s['code']}']")
    row.wait_for()
    assert "待核实疑似排口" in page.text_content("[data-testid=queue-suspected] h2")
    assert page.locator(f"[data-testid=queue-suspected] tr[data-outfall='{onsite['code']}']").count() == 0
    assert "嘉陵江" in row.text_content(), "the river by name"
    row.locator("a").click()
    page.wait_for_selector(f"[data-testid=profile-code]:text-is('{s['code']}')")
    page.wait_for_selector("[data-testid=verification][data-state=SUSPECTED]")
    page.click("[data-action=verify]")
    page.wait_for_selector("[data-testid=verification][data-state=VERIFIED]")
    page.goto(server.url + "/console/#/life")
    page.wait_for_selector("[data-testid=queue-suspected]")
    assert page.locator(f"[data-testid=queue-suspected] tr[data-outfall='{s['code']}']").count() == 0
    assert not page.errors


def test_receiving_water_sources_read_as_titles_with_links(pages, server):
    sup = server.token("supervisor")
    o = register(server, sup, name="朝天门 长江排口", where=(29.5647, 106.587), river="YANGTZE")
    page = pages.as_("supervisor")
    page.goto(server.url + f"/console/#/outfall/{o['id']}")
    src = page.locator("[data-testid=reach-sources] li")
    src.first.wait_for()
    assert "长江干流重庆段" in src.first.text_content() and "S22" not in src.first.text_content()
    assert src.first.locator("a").get_attribute("href") == "https://www.cq.gov.cn/zwgk/zfxxgkml/zcwd/shjglp/index_2.html"
    assert not page.errors


def test_permit_change_codes_cancel_and_a_suspect_that_is_not_an_outfall(pages, server):
    sup = server.token("supervisor")
    o = register(server, sup, name="登记与注销的排口", where=(29.5680, 106.5740))
    page = pages.as_("supervisor")
    page.goto(server.url + f"/console/#/outfall/{o['id']}")
    assert page.locator("[data-action=set-codes]").count() == 0, "national/provincial codes are ADMIN's"
    page.click("[data-action=record-permit]")
    form = page.locator("[data-testid=permit-card] form")
    form.locator("input[name=documentNo]").fill("渝中环登〔2026〕21号")
    form.locator("input[name=authority]").fill("重庆市渝中区生态环境局")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=permit-doc]:text-is('渝中环登〔2026〕21号')")
    page.click("[data-action=record-permit]")  # a change (变更)
    form = page.locator("[data-testid=permit-card] form")
    form.locator("input[name=documentNo]").fill("渝中环登〔2026〕21-1号")
    form.locator("input[name=authority]").fill("重庆市渝中区生态环境局")
    form.locator("input[name=note]").fill("排放量变更")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=permit-doc]:text-is('渝中环登〔2026〕21-1号')")
    assert "变更" in page.text_content("[data-testid=permit-card] ol.history")

    admin = pages.as_("admin")
    admin.goto(server.url + f"/console/#/outfall/{o['id']}")
    admin.click("[data-action=set-codes]")
    form = admin.locator("[data-testid=permit-card] form")
    form.locator("input[name=national]").fill("GJ500103-0001")
    form.locator("button[type=submit]").click()
    admin.wait_for_selector("[data-testid=national-code]:text-is('GJ500103-0001')")

    page.reload()
    page.click("[data-action=cancel-permit]")
    form = page.locator("[data-testid=permit-card] form")
    form.locator("input[name=documentNo]").fill("渝中环注〔2026〕3号")
    form.locator("input[name=authority]").fill("重庆市渝中区生态环境局")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=permit-status]:has-text('已注销')")
    page.wait_for_selector("[data-testid=outfall-closed]")
    got = server.gql("query($id: ID!) { outfall(id: $id) { status nationalCode permit { status changes { change } } } }",
                     {"id": o["id"]}, sup)["outfall"]
    assert got == {"status": "CLOSED", "nationalCode": "GJ500103-0001",
                   "permit": {"status": "CANCELLED", "changes": [{"change": "ISSUED"}, {"change": "CHANGED"},
                                                                 {"change": "CANCELLED"}]}}

    # 查: a suspect found not to be an outfall takes no tracing record and has no public page.
    s = register(server, sup, name="疑似但非排污口", suspected=True, where=(29.5685, 106.5745))
    page.goto(server.url + f"/console/#/outfall/{s['id']}")
    page.wait_for_selector(f"[data-testid=profile-code]:text-is('{s['code']}')")
    page.click("[data-action=not-outfall]")
    page.wait_for_selector("[data-testid=verification][data-state=NOT_OUTFALL]")
    assert page.locator("[data-action=submit-tracing]").count() == 0
    assert page.locator("[data-action=create-plan]").count() == 0
    assert page.locator("[data-testid=public-link]").count() == 0
    assert not page.errors and not admin.errors
