"""What each role does in the UI run. Generators: `yield cond` waits until cond() is true and the app
is idle; then the step goes on. Findings go into d.results for the pytest side."""
from __future__ import annotations

import json
import os
from dataclasses import asdict

from kivy.uix.button import Button

from mobile.app.i18n import _


def context() -> dict:
    """What earlier roles' runs left for this one (set by conftest.run_role)."""
    return json.loads(os.environ.get("OUTFALLWATCH_UI_CONTEXT") or "{}")


def sign_in(d, user: str):
    page = d.screen
    page.username.text = user
    page.password.text = f"{user}-demo"
    yield None
    yield from d.shots(f"01_signin_{user}")
    page = d.screen  # the language switch rebuilt the fields
    page.username.text = user
    page.password.text = f"{user}-demo"
    d.press(_("Sign in"))
    yield lambda: d.app.sm.current == "home"


def inspector(d):
    from datetime import UTC, datetime

    d.results["started_at"] = datetime.now(UTC).isoformat()  # the demo's own records are older
    yield from sign_in(d, "inspector")
    home = d.screen
    yield lambda: len(home.nearest_list.children) > 0 and d.app.services.fix() is not None
    d.results["home_fix"] = home.fix_text.text
    d.results["nearest"] = [b.text for b in reversed(home.nearest_list.children)]
    yield from d.shots("02_home")
    yield from d.sunlight_shot("02_home")
    # Settings (server, language, theme, tiles): pictured and audited like every other screen.
    d.app.go("settings")
    yield None
    yield from d.shots("15_settings")
    d.app.home()
    yield None

    # The map: my position, the district's outfalls (no tiles configured: rivers on a plain background);
    # tapping a marker opens that outfall.
    d.press(_("Map"))
    page = d.screen
    yield lambda: page.map.markers_drawn
    d.results["map_status"] = page.status.text
    d.results["map_markers"] = len(page.map.markers_drawn)
    yield from d.shots("12_map")
    o, mx, my = page.map.markers_drawn[0]
    page.map.tap(mx + 5, my - 5)
    yield lambda: d.app.sm.current == "outfall"
    d.results["map_tapped"] = [o.get("id"), (d.screen.outfall or {}).get("id")]
    d.app.home()
    yield None

    # Outfall detail of the nearest outfall (a COD of 260 mg/L exceeds every standard that may apply).
    near = d.app.services.nearest(d.app.services.fix(), 10)
    target = next(n.outfall for n in near if n.outfall.get("id"))
    d.results["inspected_outfall"] = target["id"]
    d.app.go("outfall", outfall=target)
    page = d.screen
    yield lambda: len(page.inspections.children) > 0
    d.results["outfall_texts"] = d.texts()
    # 查测溯治 are status tags, not buttons (issue 16 item 9).
    d.results["phase_chips"] = [[type(w).__name__, isinstance(w, Button)] for w in page.phase_row.walk(restrict=True)
                                if w is not page.phase_row]
    yield from d.shots("03_outfall")

    # Inspection with an exceedance, judged offline from the cached limits as it is typed.
    d.press(_("Inspect this outfall"))
    page = d.screen
    page.note.text = "出水呈灰黑色，有异味 / grey-black water, smells"
    page.flowing.flip()
    page.fields["COD"].text = "260"
    d.press(_("Add photo"), root=page.photo)
    yield lambda: page.photo.paths

    # Records never mix (issue 16 item 1): back out with a photo and a reading in the form, open
    # another outfall's inspection: it is empty; nothing of it is saved for that outfall.
    d.app.back()
    yield None
    other = next(n.outfall for n in near if n.outfall.get("id") and n.outfall["id"] != target["id"])
    d.results["other_outfall"] = other["id"]
    d.app.go("inspection", outfall=other)
    page = d.screen
    yield None
    d.results["other_form"] = {"photos": list(page.photo.paths) + list(page.sample_photo.paths),
                               "readings": {c: f.text for c, f in page.fields.items() if f.text},
                               "note": page.note.text, "flowing": page.flowing.active}
    d.shot("05_inspection_other_outfall_empty")
    d.app.back()
    yield None
    d.results["other_draft"] = d.app.services.drafts.get("inspection", other["id"]) is not None
    # The first outfall's form comes back as it was left, with its photo: the draft.
    d.press(_("Inspect this outfall"))
    page = d.screen
    yield None
    d.results["restored_form"] = {"photos": len(page.photo.paths), "COD": page.fields["COD"].text,
                                  "note": page.note.text, "banner": any(
                                      _("Discard draft") in t for t in d.texts())}
    d.shot("05_inspection_draft_restored")
    page.fields["NH3_N"].text = "3"
    page.fields["PH"].text = "7.2"
    d.press(_("Add photo"), root=page.sample_photo)
    yield lambda: page.sample_photo.paths
    d.results["inspection_summary"] = page.summary.text
    d.results["inspection_verdicts"] = {k: v.text for k, v in page.verdicts.items() if v.text}
    yield from d.shots("05_inspection")
    yield from d.sunlight_shot("05_inspection")
    d.press(_("Save and queue for upload"))
    yield d.idle_sync()
    d.results["after_inspection_counts"] = asdict(d.app.services.store.counts())
    # Back on the outfall once it is sent: the inspection (with its exceedance) and the raised tasks.
    d.app.go("outfall", outfall=target)
    page = d.screen
    yield lambda: len(page.inspections.children) > 0 and len(page.tasks.children) > 0
    d.results["outfall_after_texts"] = d.texts()
    d.results["draft_after_save"] = d.app.services.drafts.get("inspection", target["id"]) is not None
    yield from d.shots("03_outfall_after_inspection")

    # Register an outfall at the current fix.
    d.app.home()
    d.app.go("register")
    page = d.screen
    page.name_field.text = "菜园坝雨水排口 UI-测试"
    page.category.text = _("Industrial outfall")
    page.subtype.text = page.subtype.values[1]
    d.results["register_rivers"] = [[page.river._by_label[v] for v in page.river.values],
                                    [d.app.services.fix().lat, d.app.services.fix().lon]]
    page.river.text = page.river.values[0]
    page.water_class.text = page.water_class.values[2]
    page.unit.text = "重庆某化工有限公司"
    page.signboard.flip()
    # The pin starts at the fix, drawn on the fix's pixel (read back from the screenshot).
    yield lambda: page.pin is not None and page.map.fix is not None
    m = page.map
    d.results["register_pin_start"] = list(page.pin)
    d.results["register_pin_at_fix"] = d.pin_pixels(m, page.pin, page.pin_fix[:2])
    # Zoom with the glove-sized buttons, then with two fingers.
    z0 = m.zoom
    d.press("−", root=page)
    d.press("−", root=page)
    yield None
    d.results["register_zoom_buttons"] = [z0, m.zoom]
    # An outfall already registered here: put the pin on its marker and the warning names it.
    yield lambda: m.markers_drawn
    o, mx, my = min(m.markers_drawn, key=lambda t: (t[1] - m.center_x) ** 2 + (t[2] - m.center_y) ** 2)
    d.touch(*m.to_window(mx, my))
    yield None
    d.results["register_near_warning"] = [o.get("name"), page.near_warning.text]
    d.press("+", root=page)
    d.press("+", root=page)
    yield None
    cx, cy = m.to_window(m.center_x, m.center_y)
    zoom_before = m.zoom
    d.pinch((cx - 40, cy), (cx + 40, cy), (cx - 80, cy), (cx + 80, cy))
    yield None
    d.results["register_pinch"] = [zoom_before, m.zoom]
    m.zoom = zoom_before
    m.set_data(centre=page.pin_fix[:2])
    yield None
    # A real touch (through the window, as a finger) away from the pin moves it there: the pin is
    # drawn under the finger, and the text under the map growing a line does not move the map.
    tx, ty = m.to_window(m.center_x + 120, m.center_y - 60)
    d.touch(tx, ty)
    yield None
    yield None
    d.results["register_touch"] = [tx, ty]
    d.results["register_pin_after_touch"] = d.pin_pixels(m, page.pin, page.pin_fix[:2])
    d.results["register_pin_moved"] = [list(page.pin), list(page.pin_fix[:2]), page.where.text, page.near_warning.text]
    d.press(_("Add photo"), root=page.photo)
    yield lambda: page.photo.path
    yield from d.shots("04_register")
    d.press(_("Save and queue for upload"))
    yield lambda: d.app.sm.current == "outfall"
    d.results["registered_title"] = d.screen.heading.text
    yield d.idle_sync()
    d.results["after_register_counts"] = asdict(d.app.services.store.counts())
    # The next registration starts empty: the saved one's photo and name are not carried over.
    d.app.go("register")
    page = d.screen
    yield None
    d.results["next_register_form"] = {"name": page.name_field.text, "photos": list(page.photo.paths),
                                       "category": page.category.value}
    d.app.back()
    yield None

    yield from outfall_life(d)

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
    yield from d.shots("10_failures")
    d.press(_("Discard"))
    yield None
    d.results["failures_discard_question"] = d.popup_texts()
    d.press_popup(_("Discard"))
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
    yield from d.shots("09_patrol")
    # "A patrol is running" on every other screen: each screen's strip, and on the ones walked to.
    strips = {}
    for name in d.app.sm.screen_names:
        scr = d.app.sm.get_screen(name)
        scr.show_patrol()
        strips[name] = [scr.patrol_strip.height > 0 and scr.patrol_strip.opacity > 0, scr.patrol_strip.text]
    d.results["patrol_strips"] = strips
    walked = {}
    for name, params in (("home", {}), ("map", {}), ("register", {}), ("outfall", {"outfall": target}),
                         ("settings", {})):
        d.app.go(name, **params)
        yield None
        walked[name] = d.screen.patrol_strip.text
    d.results["patrol_strips_walked"] = walked
    d.app.home()
    d.app.go("patrol")
    yield None
    page = d.screen
    # A quick finding at the current point, during the patrol; the patrol strip shows on other screens.
    d.press(_("Report a problem here"))
    page = d.screen
    yield None
    d.results["finding_patrol_strip"] = page.patrol_strip.text
    page.kind.text = page.kind.values[2]  # riverbank garbage
    page.note.text = "岸边堆放生活垃圾 UI finding"
    d.press(_("Add photo"), root=page.photo)
    yield lambda: page.photo.paths
    yield from d.shots("11_finding")
    d.press(_("Save and queue for upload"))
    yield lambda: d.app.sm.current == "patrol"
    d.press(_("Report a problem here"))
    page = d.screen
    yield None
    d.results["next_finding_form"] = {"photos": list(page.photo.paths), "note": page.note.text,
                                      "kind": page.kind.value}
    d.app.back()
    yield None
    page = d.screen
    page.note.text = "巡查长江北岸 UI test"
    d.press(_("Stop and upload"))
    yield d.idle_sync()
    d.results["after_patrol_counts"] = d.app.services.store.counts().failures


def outfall_life(d):
    """Issue 19 on the phone: a suspect (疑似) registered, verified on site; its tracing record (the party's
    统一社会信用代码 checked as typed) submitted for review; a dry inspection. Each reaches the server."""
    from mobile.app import labels

    store = d.app.services.store
    d.app.go("register")
    page = d.screen
    yield None
    page.name_field.text = "疑似暗管 UI-测试"
    page.category.text = _("Other outfall")
    page.river.text = page.river.values[0]
    d.press(_("Confirmed on site: it is an outfall"), root=page)  # flips to suspected
    yield None
    d.results["register_suspected_toggle"] = page.suspected.active
    page.scroll.scroll_to(page.suspected, animate=False)  # the toggle in the picture
    yield None
    yield from d.shots("16_register_suspected")
    d.press(_("Save and queue for upload"))
    yield lambda: d.app.sm.current == "outfall"
    d.results["suspect_local_texts"] = d.texts()
    yield d.idle_sync()
    suspect = next(o for o in store.outfalls() if o.get("name") == "疑似暗管 UI-测试" and o.get("id"))
    d.results["suspect_id"] = suspect["id"]
    d.app.go("outfall", outfall=suspect)
    page = d.screen
    yield None
    d.results["suspect_texts"] = d.texts()
    yield from d.shots("17_outfall_suspected")
    d.press(_("Verified: it is an outfall"))
    yield None
    d.results["verify_question"] = d.popup_texts()
    d.shot("17_verify_confirm")
    d.press_popup(_(labels.VERIFICATION["VERIFIED"]))
    yield None
    d.results["verify_queued_texts"] = d.texts()
    yield d.idle_sync()
    verified = store.outfall(suspect["id"])
    d.results["verified_cached"] = verified.get("verification")
    d.app.go("outfall", outfall=verified)
    page = d.screen
    yield None
    d.results["verified_texts"] = d.texts()
    yield from d.shots("17_outfall_verified")

    # 溯: the tracing form; a mistyped code is caught on the phone before anything is queued.
    d.press(_("Tracing record (responsible party)"))
    page = d.screen
    yield None
    page.party_name.text = "重庆某化工有限公司 UI"
    page.party_type.text = _("Enterprise")
    page.uscc.text = "91130200699229617A"
    yield None
    d.results["uscc_bad"] = page.uscc_state.text
    page.contact.text = "张工 023-61234567"
    page.sources.text = "生产废水\n厂区生活污水"
    d.press(_("Field survey"), root=page.methods)
    d.press(_("Dye tracing"), root=page.methods)
    page.report.text = "沿暗管上溯 300 m 至厂区总排口，染色试验确认。"
    d.press(_("Submit for review"))
    yield None
    d.results["uscc_refused"] = [d.app.sm.current, page.message.text]
    page.uscc.text = "91130200699229617X"
    yield None
    d.results["uscc_ok"] = page.uscc_state.text
    d.results["refusal_after_fix"] = page.message.text
    yield from d.shots("18_tracing")
    page = d.screen
    d.press(_("Responsible party found"))  # the other way: cannot be determined, with why
    yield None
    d.results["undetermined_texts"] = d.texts()
    yield from d.shots("18_tracing_undetermined")
    page = d.screen
    d.press(_("Cannot be determined"))
    yield None
    d.results["tracing_form_back"] = [page.party_name.text, page.uscc.text, page.chosen_methods()]
    d.press(_("Submit for review"))
    yield lambda: d.app.sm.current == "outfall"
    yield d.idle_sync()

    # A dry inspection: nothing to sample.
    d.press(_("Inspect this outfall"))
    page = d.screen
    yield None
    d.press(_("Not dry"))
    yield None
    d.results["dry_form"] = [page.dry.active, page.flowing.active, page.summary.text]
    yield from d.shots("19_inspection_dry")
    page = d.screen
    d.press(_("Flowing: no"))  # flowing after all: no longer dry
    yield None
    d.results["dry_then_flowing"] = [page.dry.active, page.flowing.active]
    d.press(_("Not dry"))  # dry again: not flowing
    yield None
    d.results["dry_again"] = [page.dry.active, page.flowing.active]
    d.press(_("Save and queue for upload"))
    yield d.idle_sync()
    d.results["after_life_counts"] = asdict(store.counts())
    d.app.home()
    yield None


def officer(d):
    ctx = context()
    yield from sign_in(d, "officer")
    d.app.go("tasks")
    page = d.screen
    yield lambda: len(page.body.children) > 0
    d.results["tasks_texts"] = d.texts()
    d.results["tasks_shown"] = list(page.shown_ids)
    d.results["tasks_offered"] = dict(page.offered)
    yield from d.shots("06_tasks")
    # A task opens to its original evidence: the inspection's readings and photos.
    d.press(_("Evidence"))
    yield lambda: d.app.sm.current == "review_item" and any(_("Original finding") in t for t in d.texts())
    yield lambda: not any(_("Loading evidence checks…") in t for t in d.texts())
    d.results["task_evidence_texts"] = d.texts()
    yield from d.shots("06_task_evidence")
    d.app.back()
    yield None
    page = d.screen
    # Start the first (overdue) task from its card: the inspected outfall's one exceedance task
    # (every parameter over its limit on one task); then rectify it.
    d.press(_("Start"))
    yield d.idle_sync()
    d.results["started_task"] = page.shown_ids[0]
    task = next(t for t in d.app.services.store.tasks()
                if (t.get("outfall") or {}).get("id") == ctx.get("outfall_id") and t["id"] == ctx.get("overdue_task_id"))
    other = next(t for t in d.app.services.store.tasks() if t["id"] != task["id"])
    d.results["task_id"], d.results["other_task_id"] = task["id"], other["id"]
    # Records never mix: a before photo taken for the other task stays with it.
    d.app.go("rectification", task=other)
    page = d.screen
    d.press(_("Add photo"), root=page.before)
    yield lambda: page.before.paths
    d.app.back()
    yield None
    d.app.go("rectification", task=task)
    page = d.screen
    yield None
    d.results["task_form_before_photos"] = list(page.before.paths) + list(page.after.paths)
    d.press(_("Add photo"), root=page.before)
    yield lambda: page.before.paths
    d.press(_("Add photo"), root=page.after)
    page.note.text = "已封堵暗管并清理河岸 / pipe sealed, bank cleaned"
    yield lambda: page.before.path and page.after.path
    d.results["rectification_photos"] = [page.before.path, page.after.path]
    yield from d.shots("07_rectification")
    d.press(_("Submit for review"))
    # Back on the task list in the same moment, before the sync has reached the server: the submitted
    # task offers neither 开始 nor 整改 again, and says its rectification waits to be sent.
    tasks_page = d.screen
    d.results["before_sync"] = {"screen": d.app.sm.current, "offered": dict(getattr(tasks_page, "offered", {})),
                                "waiting": d.app.services.store.counts().records_waiting,
                                "texts": d.texts()}
    yield d.idle_sync()
    d.results["after_submit_counts"] = d.app.services.store.counts().failures


def supervisor(d):
    yield from sign_in(d, "supervisor")
    d.app.go("review")
    page = d.screen
    yield lambda: any(_("Open the evidence") in t for t in d.texts())
    yield from d.shots("08_review_queue")
    task = page.queue()[0]
    # Records never mix: a reason typed for another submission does not show up in this one.
    d.app.go("review_item", task={"id": "other-task", "title": "another", "latestSubmission": {"id": "other-sub"}})
    yield None
    d.screen.reason.text = "另一项整改的退回理由"
    yield None
    d.app.back()
    yield None
    d.press(_("Open the evidence"))
    page = d.screen
    yield lambda: not any(_("Loading evidence checks…") in t for t in d.texts()) and page.failing is not None
    d.results["review_reason_shown"] = page.reason.text
    d.results["review_texts"] = d.texts()
    d.results["review_task"] = task["id"]
    yield from d.shots("08_review")
    d.press(_("Approve"))
    yield None
    d.results["approve_question"] = d.popup_texts()
    d.shot("08_review_confirm")
    d.press_popup(_("Approve"))
    yield d.idle_sync()
    d.results["after_review_counts"] = d.app.services.store.counts().failures
    d.app.page("review").refresh()
    d.results["review_after_texts"] = d.texts()




# ---- Offline honesty (issue 16 item 6): the same phone, first online, then with no server -------

def offline_prepare(d):
    """Online once: sign in and download the register, so this phone can work with no server."""
    page = d.screen
    page.username.text, page.password.text = "inspector", "inspector-demo"
    d.press(_("Sign in"))
    yield lambda: d.app.sm.current == "home"
    home = d.screen
    yield lambda: len(home.nearest_list.children) > 0 and d.app.services.store.rivers()
    yield d.idle_sync()


def offline(d):
    """Started against an address where no server answers: sign in offline, register an outfall and
    inspect it, press Sync now; the phone must say what waits, prominently, and never that it synced."""
    from kivy.core.window import Window

    page = d.screen
    page.username.text, page.password.text = "inspector", "inspector-demo"
    d.press(_("Sign in"))
    yield lambda: d.app.sm.current == "home"
    d.app.go("register")
    page = d.screen
    yield lambda: page.pin is not None
    page.name_field.text = "离线登记排口 UI"
    page.category.text = _("Other outfall")
    yangtze = next(label for value, label in page.river._by_value.items() if value == "YANGTZE")
    page.river.text = yangtze
    d.press(_("Save and queue for upload"))
    yield lambda: d.app.sm.current == "outfall"
    d.results["offline_outfall_texts"] = d.texts()
    yield from d.shots("13_offline_outfall")
    d.press(_("Inspect this outfall"))
    page = d.screen
    yield None
    page.fields["COD"].text = "300"
    d.results["offline_inspection_standard"] = page.standard.text
    d.results["offline_inspection_verdict"] = page.verdicts["COD"].text
    d.press(_("Save and queue for upload"))
    yield None
    d.app.home()
    home = d.screen
    yield None
    d.press(_("Sync now"))
    yield lambda: d.app.services.online is False and _("Syncing…") not in home.message.text
    yield None
    home.refresh()
    yield None
    box = home.waiting_box
    x, y = box.to_window(box.x, box.y)
    c = d.app.services.store.counts()
    d.results["offline_home"] = {
        "texts": d.texts(), "banner": home.waiting_banner.text, "message": home.message.text,
        "message_colour": list(home.message.color), "banner_font_sp": home.waiting_banner.font_size,
        "banner_bold": home.waiting_banner.bold, "banner_top_from_window_top": Window.height - (y + box.height),
        "banner_height": box.height, "counts": [c.records_waiting, c.photos_waiting, c.failures]}
    d.shot("14_offline_home")
    d.app.set_language("en")
    yield None
    d.press("Sync now")  # the rebuilt screen says it again, in English
    yield lambda: d.app.services.online is False and "Syncing" not in d.screen.message.text
    d.results["offline_home_en"] = d.texts()
    d.shot("14_offline_home_en")
    d.app.set_language("zh_CN")
    yield None


# ---- The reviewer sees the evidence (issue 17 item 5) -----------------------------------------------

def review_evidence(d):
    """A submission whose checks carry evidence (tests/factories/review_evidence.py): each check's photos
    side by side and a distance's two positions on a map, pictured in both languages."""
    ctx = context()
    page = d.screen
    page.username.text, page.password.text = "supervisor", "supervisor-demo"
    d.press(_("Sign in"))
    yield lambda: d.app.sm.current == "home"
    d.app.go("review")
    queue = d.screen
    yield lambda: any(t["id"] == ctx["task_id"] for t in queue.queue())
    task = next(t for t in queue.queue() if t["id"] == ctx["task_id"])
    d.app.go("review_item", task=task)
    for lang, suffix in (("zh_CN", ""), ("en", "_en")):
        if lang != "zh_CN":
            d.app.set_language(lang)
        page = d.screen
        yield lambda page=page: page.evidence_shown is not None
        shown = page.evidence_shown
        reuse = next(r for r in shown if r["code"] == "REUSED_PHOTO")
        dist = next(r for r in shown if r["map"])
        m = dist["map"]["widget"]
        d.results[f"evidence{suffix}"] = [{k: v for k, v in r.items() if k != "map"} for r in shown]
        d.results[f"evidence_texts{suffix}"] = d.texts()
        page.scroll.scroll_to(page.evidence.children[0], padding=0, animate=False)  # the checks card
        yield None
        yield from _after_layout()
        d.shot(f"16_review_evidence{suffix}")
        page.scroll.scroll_to(m, padding=40, animate=False)
        yield None
        yield from _after_layout()
        marks = []
        for label, x, y in m.marks_drawn:
            wx, wy = m.to_window(m.x + x, m.y + y)
            marks.append({"label": label, "inside": 0 <= x <= m.width and 0 <= y <= m.height,
                          "colour": d.pixels([(wx, wy)])[0]})
        d.results[f"evidence_map{suffix}"] = {"positions": dist["map"]["positions"],
                                              "distance_m": dist["map"]["distance_m"], "marks": marks,
                                              "zoom": m.zoom, "size": [m.width, m.height]}
        d.results[f"reuse_shown{suffix}"] = reuse
        d.shot(f"16_review_evidence_map{suffix}")
    d.app.set_language("zh_CN")
    yield None


def _after_layout():
    """Two frames: the scroll has moved and the map has drawn at its new place."""
    from kivy.clock import Clock

    done = []
    Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt: done.append(1), 0), 0)
    yield lambda: done
