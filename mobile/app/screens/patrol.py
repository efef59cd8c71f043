"""Patrol tracking: start, watch the track's distance and duration grow, stop to queue the record."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.metrics import dp

from mobile.app import theme
from mobile.app.formatting import distance, duration, error_text
from mobile.app.i18n import _
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Field, Text


class PatrolPage(Page):
    name_ = "patrol"
    _tick = None

    def page_title(self):
        return _("Patrol track")

    def build(self):
        b = self.body
        card = Card()
        self.state = Text("", bold=True, size=theme.FONT_TITLE)
        card.add_widget(self.state)
        self.figures = Text("", size=theme.FONT_BIG)
        card.add_widget(self.figures)
        self.detail = Text("", color=theme.MUTED, size=theme.FONT_SMALL)
        card.add_widget(self.detail)
        b.add_widget(card)
        b.add_widget(Text(_("Note"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.note = Field(hint=_("e.g. walked the north bank"), multiline=True, height=dp(70))
        b.add_widget(self.note)
        self.button = Btn("", on_press=self.toggle)
        b.add_widget(self.button)
        self.finding_button = Btn(_("Report a problem here"), kind="accent", on_press=lambda: self.app.go("finding"))
        b.add_widget(self.finding_button)
        b.add_widget(Text(_("The track is kept on the phone as you walk and uploaded when you stop."),
                          color=theme.MUTED, size=theme.FONT_SMALL))

    @property
    def patrol(self):
        return self.services.patrol

    def refresh(self):
        p = self.patrol
        self.state.text = _("Patrolling") if p.running else _("Not patrolling")
        self.state.color = theme.OK if p.running else theme.TEXT
        self.figures.text = f"{distance(p.distance_m)}   {duration(p.duration_s)}"
        self.detail.text = _("{n} track points kept, {d} poor fixes dropped").format(n=len(p.points), d=p.dropped)
        self.button.text = _("Stop and upload") if p.running else _("Start patrol")
        self.button.background_color = theme.DANGER if p.running else theme.PRIMARY
        self.finding_button.disabled = not p.running
        self.finding_button.opacity = 1 if p.running else 0

    def on_enter(self, *_a):
        self._tick = Clock.schedule_interval(lambda _dt: self.refresh(), 1)

    def on_leave(self, *_a):
        if self._tick:
            self._tick.cancel()

    def on_fix(self, _fix):
        self.refresh()

    def toggle(self):
        p = self.patrol
        try:
            if p.running:
                from mobile.app.android import stop_patrol_service

                stop_patrol_service()
                item = p.stop(note=self.note.text.strip() or None)
                self.note.text = ""
                self.say(_("Patrol saved; it will be uploaded when there is signal.") if item else
                         _("No usable GPS fix was recorded; nothing to upload."), ok=bool(item))
                self.app.sync_now()
            else:
                p.start()
                from mobile.app.android import request_background_location, start_patrol_service

                request_background_location()
                start_patrol_service(self.services.store.data_dir)  # Android: records with the screen off
                fix = self.services.fix()
                if fix is not None:  # the fix we already have is the track's first point
                    p.add_fix(fix)
                self.say("")
        except Exception as e:  # noqa: BLE001 - PatrolError explains itself
            self.say(error_text(e))
        self.refresh()
