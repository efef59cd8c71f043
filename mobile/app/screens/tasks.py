"""My tasks (district officers): overdue first, then by deadline, each with its countdown."""
from __future__ import annotations

from mobile.app import labels, theme
from mobile.app.formatting import countdown, error_text
from mobile.app.i18n import _
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Row, Text
from mobile.core import actions, worklist


def order(tasks: list[dict]) -> list[dict]:
    """Overdue first, then the soonest deadline (ISO strings of one zone sort as times)."""
    return sorted(tasks, key=lambda t: (not t.get("isOverdue"), t.get("deadline") or ""))


class TasksPage(Page):
    name_ = "tasks"
    shown_ids: list[str] = []
    offered: dict[str, tuple[str, ...]] = {}  # task id -> the actions its card offers (worklist.offers)

    def page_title(self):
        return _("My tasks")

    def refresh(self):
        self.body.clear_widgets()
        store = self.services.store
        p = worklist.pending(store)
        tasks = order(store.tasks())
        self.shown_ids = [t["id"] for t in tasks]
        self.offered = {}
        if not tasks:
            self.body.add_widget(Text(_("No open tasks. Sync to fetch new ones."), color=theme.MUTED))
        for t in tasks:
            left, overdue = countdown(t.get("deadline"))
            overdue = overdue or bool(t.get("isOverdue"))
            card = Card()
            card.add_widget(Text(labels.readable_title(t.get("title")), bold=True))
            outfall = (t.get("outfall") or {})
            card.add_widget(Text(" · ".join(x for x in (t.get("code"), labels.label(labels.TASK_KINDS, t.get("kind")),
                                                         outfall.get("name")) if x),
                                 size=theme.FONT_SMALL, color=theme.MUTED))
            status = t.get("status")
            shown = worklist.state(t, p)
            status_text = {"SUBMIT_WAITING": _("Rectification waiting to send"),
                           "START_WAITING": _("Start waiting to send")}.get(shown) or \
                labels.label(labels.TASK_STATUS, status)
            card.add_widget(Text(f"{status_text} · {left}", color=theme.DANGER if overdue else theme.TEXT,
                                 bold=overdue))
            if status == "REJECTED" and (t.get("latestSubmission") or {}).get("review"):
                card.add_widget(Text(_("Rejected: {reason}").format(
                    reason=t["latestSubmission"]["review"].get("reason") or ""), color=theme.DANGER,
                    size=theme.FONT_SMALL))
            row = Row()
            offered = worklist.offers(t, p)
            self.offered[t["id"]] = offered
            if "START" in offered:
                row.add_widget(Btn(_("Start"), on_press=lambda t=t: self.start(t), kind="secondary"))
            row.add_widget(Btn(_("Evidence"), kind="secondary",
                               on_press=lambda t=t: self.app.go("review_item", task=t, readonly=True)))
            if "RECTIFY" in offered:
                row.add_widget(Btn(_("Rectify"), on_press=lambda t=t: self.app.go("rectification", task=t)))
            if row.children:
                card.add_widget(row)
            self.body.add_widget(card)

    def start(self, task):
        try:
            actions.start_task(self.services.store, task["id"])
        except Exception as e:  # noqa: BLE001
            self.say(error_text(e))
            return
        self.app.sync_now()
        self.refresh()
        self.say(_("Marked as started."), ok=True)
