"""Review queue (supervisors): each submitted rectification with its evidence checks; approve, or reject
with a reason. Decisions are queued like every other record and sent by the sync engine."""
from __future__ import annotations

from kivy.metrics import dp
from kivy.uix.image import Image

from mobile.app import background, labels, theme
from mobile.app.formatting import error_text, labelled_checks, local_time, place
from mobile.app.i18n import _, language
from mobile.app.lookups import submission_evidence
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Column, Field, Row, Text
from mobile.core import actions

SEVERITY_COLOUR = {"FAIL": theme.DANGER, "WARNING": theme.ACCENT, "INFO": theme.MUTED}


class ReviewPage(Page):
    name_ = "review"

    def page_title(self):
        return _("Review queue")

    def refresh(self):
        self.body.clear_widgets()
        store = self.services.store
        decided = {it.payload.get("_taskId") for it in store.items(kind="reviewSubmission") if it.state != "failed"}
        queue = [t for t in store.review_queue() if t["id"] not in decided]
        if not queue:
            self.body.add_widget(Text(_("Nothing waiting for review."), color=theme.MUTED))
        for t in queue:
            card = Card()
            card.add_widget(Text(t.get("title") or "", bold=True))
            sub = t.get("latestSubmission") or {}
            card.add_widget(Text(" · ".join(x for x in (t.get("code"), (t.get("outfall") or {}).get("name"),
                                                         place(t.get("district")),
                                                         local_time(sub.get("submittedAt"))) if x),
                                 size=theme.FONT_SMALL, color=theme.MUTED))
            if sub.get("note"):
                card.add_widget(Text(_("Note: {note}").format(note=sub["note"]), size=theme.FONT_SMALL))
            evidence = Column()
            evidence.add_widget(Text(_("Loading evidence checks…"), size=theme.FONT_SMALL, color=theme.MUTED))
            card.add_widget(evidence)
            reason = Field(hint=_("Reason (needed to reject)"))
            card.add_widget(reason)
            row = Row()
            row.add_widget(Btn(_("Approve"), kind="ok",
                               on_press=lambda t=t, s=sub: self.decide(t, s, "APPROVE", None)))
            row.add_widget(Btn(_("Reject"), kind="danger",
                               on_press=lambda t=t, s=sub, r=reason: self.decide(t, s, "REJECT", r.text)))
            card.add_widget(row)
            self.body.add_widget(card)
            background.run(submission_evidence, self.services.client, store, t["id"],
                           on_done=lambda res, ev=evidence: self._show_evidence(ev, *res))

    def _show_evidence(self, box, task, fresh):
        box.clear_widgets()
        sub = (task or {}).get("latestSubmission")
        if not sub:
            box.add_widget(Text(_("Evidence checks are not available offline."), size=theme.FONT_SMALL,
                                color=theme.MUTED))
            return
        pair = Row(height=dp(130))
        for side, word in (("before", _("Before")), ("after", _("After"))):
            col = Column()
            col.add_widget(Text(word, size=theme.FONT_SMALL, color=theme.MUTED))
            paths = [m.get("localPath") for m in sub.get(side) or [] if m.get("localPath")]
            if paths:
                col.add_widget(Image(source=paths[0], fit_mode="contain", size_hint_y=None, height=dp(105)))
            else:
                col.add_widget(Text(_("no picture"), size=theme.FONT_SMALL, color=theme.MUTED))
            pair.add_widget(col)
        box.add_widget(pair)
        checks = labelled_checks(sub)
        if not checks:
            box.add_widget(Text(_("Evidence checks: all passed."), color=theme.OK, size=theme.FONT_SMALL))
        for photo, c in checks:
            msg = c.get("messageZh") if language().startswith("zh") else c.get("messageEn")
            where = f"{photo} · " if photo else ""
            box.add_widget(Text(f"[b]{labels.label(labels.SEVERITY, c.get('severity'))}[/b] {where}"
                                f"{msg or c.get('message')}",
                                color=SEVERITY_COLOUR.get(c.get("severity"), theme.TEXT), size=theme.FONT_SMALL))

    def decide(self, task, submission, decision, reason):
        if not submission.get("id"):
            self.say(_("This task has no submission to review."))
            return
        try:
            actions.review_submission(self.services.store, submission_id=submission["id"], task_id=task["id"],
                                      decision=decision, reason=(reason or "").strip() or None)
        except Exception as e:  # noqa: BLE001 - e.g. reject without a reason
            self.say(error_text(e))
            return
        self.app.sync_now()
        self.refresh()
        self.say(_("Approved.") if decision == "APPROVE" else _("Rejected."), ok=True)

