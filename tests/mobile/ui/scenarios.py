"""What each role does in the UI run. Generators: `yield cond` waits until cond() is true and the app
is idle; then the step goes on. Findings go into d.results for the pytest side."""
from __future__ import annotations

import json
import os
from dataclasses import asdict

from mobile.app.i18n import _


def context() -> dict:
    """What earlier roles' runs left for this one (set by conftest.run_role)."""
    return json.loads(os.environ.get("OUTFALLWATCH_UI_CONTEXT") or "{}")


def sign_in(d, user: str):
    page = d.screen
    page.username.text = user
    page.password.text = f"{user}-demo"
    yield None
    d.shot(f"01_signin_{user}")
    d.press(_("Sign in"))
    yield lambda: d.app.sm.current == "home"


def inspector(d):
    yield from sign_in(d, "inspector")
    home = d.screen
    yield lambda: len(home.nearest_list.children) > 0 and d.app.services.fix() is not None
    d.results["home_fix"] = home.fix_text.text
    d.results["nearest"] = [b.text for b in reversed(home.nearest_list.children)]
    d.shot("02_home")

    # Outfall detail of the nearest outfall (a COD of 260 mg/L exceeds every standard that may apply).
    near = d.app.services.nearest(d.app.services.fix(), 10)
    target = next(n.outfall for n in near if n.outfall.get("id"))
    d.results["inspected_outfall"] = target["id"]
    d.app.go("outfall", outfall=target)
    page = d.screen
    yield lambda: len(page.inspections.children) > 0
    d.results["outfall_texts"] = d.texts()
    d.shot("03_outfall")

    # Inspection with an exceedance, judged offline from the cached limits as it is typed.
    d.press(_("Inspect this outfall"))
    page = d.screen
    page.note.text = "出水呈灰黑色，有异味 / grey-black water, smells"
    page.flowing.flip()
    page.fields["COD"].text = "260"
    page.fields["NH3_N"].text = "3"
    page.fields["PH"].text = "7.2"
    d.press(_("Take photo"), root=page.photo)
    d.press(_("Take photo"), root=page.sample_photo)
    yield lambda: page.photo.path and page.sample_photo.path
    d.results["inspection_summary"] = page.summary.text
    d.results["inspection_verdicts"] = {k: v.text for k, v in page.verdicts.items() if v.text}
    d.shot("05_inspection")
    d.press(_("Save and queue for upload"))
    yield d.idle_sync()
    d.results["after_inspection_counts"] = asdict(d.app.services.store.counts())
    # Back on the outfall once it is sent: the inspection (with its exceedance) and the raised tasks.
    d.app.go("outfall", outfall=target)
    page = d.screen
    yield lambda: len(page.inspections.children) > 0 and len(page.tasks.children) > 0
    d.results["outfall_after_texts"] = d.texts()
    d.shot("03_outfall_after_inspection")

    # Register an outfall at the current fix.
    d.app.home()
    d.app.go("register")
    page = d.screen
    page.name_field.text = "菜园坝雨水排口 UI-测试"
    page.category.text = _("Industrial outfall")
    page.subtype.text = page.subtype.values[1]
    page.river.text = page.river.values[0]
    page.water_class.text = page.water_class.values[2]
    page.unit.text = "重庆某化工有限公司"
    page.signboard.flip()
    d.press(_("Take photo"), root=page.photo)
    yield lambda: page.photo.path
    d.shot("04_register")
    d.press(_("Save and queue for upload"))
    yield lambda: d.app.sm.current == "outfall"
    d.results["registered_title"] = d.screen.heading.text
    yield d.idle_sync()
    d.results["after_register_counts"] = asdict(d.app.services.store.counts())

    # A record the server refuses (an inspector may not start tasks): the failures list shows why.
    from mobile.core import actions
    actions.start_task(d.app.services.store, "999999")
    d.app.home()
    yield d.idle_sync()
    home = d.app.page("home")
    home.refresh()
    d.results["failures_button"] = home.failures_button.text
    d.press(home.failures_button.text)
    yield lambda: d.app.sm.current == "failures"
    d.results["failure_texts"] = d.texts()
    d.shot("10_failures")
    d.press(_("Discard"))
    yield None
    d.results["failures_after_discard"] = d.app.services.store.counts().failures

    # English switch on the home screen.
    d.app.home()
    d.app.set_language("en")
    yield None
    d.results["home_en_texts"] = d.texts()
    d.shot("02_home_en")
    d.app.set_language("zh_CN")
    yield None

    # Patrol: the NMEA replay keeps moving the fix; the track grows while we wait.
    d.app.go("patrol")
    page = d.screen
    d.press(_("Start patrol"))
    yield lambda: len(d.app.services.patrol.points) >= 6
    page.refresh()
    d.results["patrol_running"] = {"points": len(d.app.services.patrol.points),
                                   "distance_m": d.app.services.patrol.distance_m,
                                   "figures": page.figures.text}
    d.shot("09_patrol")
    page.note.text = "巡查长江北岸 UI test"
    d.press(_("Stop and upload"))
    yield d.idle_sync()
    d.results["after_patrol_counts"] = d.app.services.store.counts().failures


def officer(d):
    ctx = context()
    yield from sign_in(d, "officer")
    d.app.go("tasks")
    page = d.screen
    yield lambda: len(page.body.children) > 0
    d.results["tasks_texts"] = d.texts()
    d.results["tasks_shown"] = list(page.shown_ids)
    d.shot("06_tasks")
    # Start the first (overdue) task from its card: the inspected outfall's one exceedance task
    # (every parameter over its limit on one task); then rectify it.
    d.press(_("Start"))
    yield d.idle_sync()
    d.results["started_task"] = page.shown_ids[0]
    task = next(t for t in d.app.services.store.tasks()
                if (t.get("outfall") or {}).get("id") == ctx.get("outfall_id") and t["id"] == ctx.get("overdue_task_id"))
    d.results["task_id"] = task["id"]
    d.app.go("rectification", task=task)
    page = d.screen
    d.press(_("Take photo"), root=page.before)
    d.press(_("Take photo"), root=page.after)
    page.note.text = "已封堵暗管并清理河岸 / pipe sealed, bank cleaned"
    yield lambda: page.before.path and page.after.path
    d.results["rectification_photos"] = [page.before.path, page.after.path]
    d.shot("07_rectification")
    d.press(_("Submit for review"))
    yield d.idle_sync()
    d.results["after_submit_counts"] = d.app.services.store.counts().failures


def supervisor(d):
    yield from sign_in(d, "supervisor")
    d.app.go("review")
    yield lambda: any(_("Approve") in t for t in d.texts()) and not any(
        _("Loading evidence checks…") in t for t in d.texts())
    d.results["review_texts"] = d.texts()
    d.shot("08_review")
    d.press(_("Approve"))
    yield d.idle_sync()
    d.results["after_review_counts"] = d.app.services.store.counts().failures
    d.results["review_after_texts"] = d.texts()
