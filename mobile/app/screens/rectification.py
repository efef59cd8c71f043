"""Report a rectification: before and after photos (several each), a note, submit for review.

The form belongs to one task (FormPage): a before photo taken for one task can never show up in
another task's form; unsaved work is that task's draft.
"""
from __future__ import annotations

from kivy.metrics import dp

from mobile.app import labels, theme
from mobile.app.formatting import countdown, error_text
from mobile.app.i18n import _
from mobile.app.screens.form import FormPage
from mobile.app.widgets import Btn, Column, Field, PhotoStrip, Text
from mobile.core import actions


class RectificationPage(FormPage):
    name_ = "rectification"
    form = "rectification"

    def page_title(self):
        return _("Rectification")

    @property
    def task(self) -> dict:
        return self.params.get("task") or {}

    def record_key(self):
        return str(self.task.get("id") or "") or None

    def build(self):
        b = self.body
        self.heading = Text("", bold=True, size=theme.FONT_TITLE)
        b.add_widget(self.heading)
        self.deadline = Text("")
        b.add_widget(self.deadline)
        self.before = PhotoStrip(_("Before"), on_add=lambda: self.take_photo_into("BEFORE"), on_change=self.changed,
                                 on_open=self.open_photo)
        self.after = PhotoStrip(_("After"), on_add=lambda: self.take_photo_into("AFTER"), on_change=self.changed,
                                on_open=self.open_photo)
        b.add_widget(self.before)
        b.add_widget(self.after)
        b.add_widget(Text(_("Take both from the same spot, facing the same way."), size=theme.FONT_SMALL,
                          color=theme.MUTED))
        b.add_widget(Text(_("Note"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.note = self.watch(Field(hint=_("what was done"), multiline=True, height=dp(96)))
        b.add_widget(self.note)

    def build_footer(self):
        bar = Column(fill=theme.CARD, padding=[theme.PAD, dp(6)])
        bar.add_widget(Btn(_("Submit for review"), on_press=self.submit))
        return bar

    def refresh(self):
        t = self.task
        self.heading.text = labels.readable_title(t.get('title'))
        left, overdue = countdown(t.get("deadline"))
        self.deadline.text = f"{t.get('code') or ''} · {left}"
        self.deadline.color = theme.DANGER if overdue else theme.MUTED

    def strips(self):
        return {"BEFORE": self.before, "AFTER": self.after}

    def collect(self):
        return {"note": self.note.text}

    def apply(self, values):
        self.note.text = values.get("note") or ""

    def submit(self):
        if not (self.before.paths and self.after.paths):
            self.say(_("A before and an after photo are both needed."))
            return
        try:
            actions.submit_rectification(self.services.store, task_id=self.task["id"], before=list(self.before.paths),
                                         after=list(self.after.paths), note=self.note.text.strip() or None)
        except Exception as e:  # noqa: BLE001
            self.say(error_text(e))
            return
        self.record_saved()
        self.app.sync_now()
        self.app.back()
        self.app.page(self.app.sm.current).say(_("Submitted; it will be sent when there is signal."), ok=True)
