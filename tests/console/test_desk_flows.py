"""The supervisor's and the officer's day in the browser: a profile, the review loop (reject with a
reason, which the officer's open ledger shows without a reload; approve another; "already decided"),
and district scoping through the console."""
from __future__ import annotations

from tests.console.conftest import OTHER, create_task, make_submission, outfall_in, screenshot

WAIT_LOADED = "() => window.__owLayer && window.__owLayer.idle() && window.__owDrawn > 0"


def test_a_click_on_an_outfall_opens_its_profile(pages, server):
    page = pages.as_("supervisor")
    page.goto(server.url + "/console/#/map")
    page.wait_for_function("() => window.__owLayer")
    page.select_option("select[name=district]", OTHER)
    page.wait_for_function(WAIT_LOADED + f" && window.__owLayer.points().every(p => p.district === '{OTHER}')",
                           timeout=30_000)
    page.wait_for_timeout(1000)  # the fit-to-results animation
    # A drawn point that nothing covers (the statistics panel floats over the map).
    point = page.evaluate("""() => { const m = window.__owMap, c = m.getCanvas(), r = c.getBoundingClientRect();
        for (const f of m.queryRenderedFeatures({layers: ['outfalls']})) {
          const xy = m.project(f.geometry.coordinates), x = r.left + xy.x, y = r.top + xy.y;
          if (document.elementFromPoint(x, y) === c) return {x, y, id: f.properties.id};
        } return null; }""")
    assert point, "no outfall drawn in the open"
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("[data-testid=profile-code]")
    code = server.gql("query($id: ID!) { outfall(id: $id) { code } }", {"id": point["id"]},
                      server.token("supervisor"))["outfall"]["code"]
    assert page.text_content("[data-testid=profile-code]") == code
    assert page.evaluate("location.hash") == f"#/outfall/{point['id']}"
    assert not page.errors


def test_reject_shows_in_the_officers_ledger_live_then_approve_another(pages, server):
    one = make_submission(server, seed=101, title="拒绝测试 一")
    two = make_submission(server, seed=201, title="通过测试 二")
    officer = pages.as_("officer")
    officer.goto(server.url + "/console/#/tasks")
    row = f"tr[data-task='{one['task']['code']}']"
    officer.wait_for_selector(row + "[data-status=SUBMITTED]")
    officer.evaluate("window.__notReloaded = true")

    sup = pages.as_("supervisor")
    sup.goto(server.url + "/console/#/review")
    sup.click(f"button.qitem[data-task='{one['task']['code']}']")
    sup.wait_for_selector(f"h1:has-text('{one['task']['code']}')")
    sup.wait_for_selector("[data-testid=checks] li")
    sup.keyboard.press("r")  # the shortcut opens the reason and focuses it
    sup.wait_for_selector("textarea[name=reason]:focus")
    sup.keyboard.type("整改后照片看不清排口")
    sup.keyboard.press("Control+Enter")
    sup.wait_for_selector("p.notice")

    officer.wait_for_selector(row + "[data-status=REJECTED]", timeout=5000)
    assert officer.evaluate("window.__notReloaded") is True
    assert "整改后照片看不清排口" in officer.text_content(row)

    sup.click(f"button.qitem[data-task='{two['task']['code']}']")
    sup.wait_for_selector(f"h1:has-text('{two['task']['code']}')")
    sup.wait_for_selector("[data-action=approve]")
    sup.keyboard.press("a")
    sup.wait_for_selector(f"p.notice:has-text('{two['task']['code']}')")
    q = "query($id: ID!) { task(id: $id) { status latestSubmission { review { decision reason } } } }"
    t1 = server.gql(q, {"id": one["task"]["id"]}, server.token("supervisor"))["task"]
    t2 = server.gql(q, {"id": two["task"]["id"]}, server.token("supervisor"))["task"]
    assert t1["status"] == "REJECTED" and t1["latestSubmission"]["review"] == {"decision": "REJECT",
                                                                              "reason": "整改后照片看不清排口"}
    assert t2["status"] == "APPROVED"
    assert not sup.errors and not officer.errors


def test_a_submission_decided_elsewhere_says_by_whom(pages, server):
    three = make_submission(server, seed=301, title="他人已审")
    sup = pages.as_("supervisor")
    sup.goto(server.url + "/console/#/review")
    sup.click(f"button.qitem[data-task='{three['task']['code']}']")
    sup.wait_for_selector("[data-action=approve]")
    # Another supervisor's desk decides it first.
    server.gql("mutation($i: ReviewSubmissionInput!) { reviewSubmission(input: $i) { id } }",
               {"i": {"submissionId": three["submission"]["id"], "decision": "APPROVE"}}, server.token("supervisor"))
    sup.keyboard.press("a")  # may race the live event: either way the desk must say who decided
    sup.wait_for_selector("[data-testid=already-decided]", timeout=5000)
    assert "市级督办" in sup.text_content("[data-testid=already-decided]")
    assert not sup.query_selector(".errorbox")


def test_an_officer_cannot_reach_another_districts_tasks(pages, server):
    sup_token = server.token("supervisor")
    foreign_outfall = outfall_in(server, sup_token, OTHER)
    foreign = create_task(server, sup_token, district=OTHER, title="别区任务", outfall=foreign_outfall)
    officer = pages.as_("officer")
    officer.goto(server.url + f"/console/#/task/{foreign['id']}")
    officer.wait_for_selector(".errorbox[data-code=FORBIDDEN]")
    assert "别区任务" not in officer.content()
    # Nor through the other district's outfall profile (the register is city-wide, its tasks are not).
    officer.goto(server.url + f"/console/#/outfall/{foreign_outfall['id']}")
    officer.wait_for_selector("[data-testid=profile-code]")
    officer.wait_for_timeout(500)
    assert foreign["code"] not in officer.content() and "别区任务" not in officer.content()
    officer.goto(server.url + "/console/#/tasks")
    own = server.gql("{ tasks(first: 0) { totalCount } }", token=server.token("officer"))["tasks"]["totalCount"]
    officer.wait_for_function(f"() => document.querySelector('[data-testid=task-total]')?.textContent === '{own}'")
    assert not officer.query_selector(f"tr[data-task='{foreign['code']}']")
    assert officer.query_selector("select[name=district]") is None  # no district picker for district roles
    screenshot(officer, "ledger-officer-zh")
