"""Report a rectification: before and after photos side by side, a note, submit for review."""
from __future__ import annotations

from kivy.metrics import dp

from mobile.app import theme
from mobile.app.formatting import countdown, error_text
from mobile.app.i18n import _
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Field, PhotoSlot, Row, Text
from mobile.core import actions


class RectificationPage(Page):
    name_ = "rectification"

    def page_title(self):
        return _("Rectification")

    @property
    def task(self) -> dict:
        return self.params.get("task") or {}

    def build(self):
        b = self.body
        self.heading = Text("", bold=True, size=theme.FONT_TITLE)
        b.add_widget(self.heading)
        self.deadline = Text("")
        b.add_widget(self.deadline)
        pair = Row(height=dp(230))
        self.before = PhotoSlot(_("Before"), on_pick=lambda: self.take_photo(self.before), height=dp(230))
        self.after = PhotoSlot(_("After"), on_pick=lambda: self.take_photo(self.after), height=dp(230))
        pair.add_widget(self.before)
        pair.add_widget(self.after)
        b.add_widget(pair)
        b.add_widget(Text(_("Take both from the same spot, facing the same way."), size=theme.FONT_SMALL,
                          color=theme.MUTED))
        b.add_widget(Text(_("Note"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.note = Field(hint=_("what was done"), multiline=True, height=dp(80))
        b.add_widget(self.note)
        b.add_widget(Btn(_("Submit for review"), on_press=self.submit))

    def refresh(self):
        t = self.task
        self.heading.text = f"{t.get('title') or ''}"
        left, overdue = countdown(t.get("deadline"))
        self.deadline.text = f"{t.get('code') or ''} · {left}"
        self.deadline.color = theme.DANGER if overdue else theme.MUTED

    def submit(self):
        if not (self.before.path and self.after.path):
            self.say(_("A before and an after photo are both needed."))
            return
        try:
            actions.submit_rectification(self.services.store, task_id=self.task["id"], before=[self.before.path],
                                         after=[self.after.path], note=self.note.text.strip() or None)
        except Exception as e:  # noqa: BLE001
            self.say(error_text(e))
            return
        self.app.sync_now()
        self.rebuild()
        self.app.back()
        self.app.page(self.app.sm.current).say(_("Submitted; it will be sent when there is signal."), ok=True)
