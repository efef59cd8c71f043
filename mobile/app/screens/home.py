"""Patrol home: where I am, the nearest outfalls of my district, the sync badge, and my work."""
from __future__ import annotations

from kivy.metrics import dp

from mobile.app import labels, theme
from mobile.app.formatting import compass, distance, local_time, place
from mobile.app.i18n import _, language
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Column, Row, Text

# Which big buttons each role gets (the server enforces the same; this only keeps the screen short).
ACTIONS = {
    "INSPECTOR": ("register", "patrol"),
    "DISTRICT_OFFICER": ("tasks", "register", "patrol"),
    "SUPERVISOR": ("review", "tasks"),
    "ADMIN": ("review", "tasks", "register", "patrol"),
}


class HomePage(Page):
    name_ = "home"
    back = False
    NEAREST = 6

    def page_title(self):
        return _("Patrol")

    def bar_button(self):
        other = "en" if language() == "zh_CN" else "zh_CN"
        return Btn("EN" if other == "en" else "中文", on_press=lambda: self.app.set_language(other),
                   kind="bar", size_hint_x=None, width=dp(64), height=theme.BAR_H - dp(8))

    def build(self):
        b = self.body
        self.who = Text("", color=theme.MUTED, size=theme.FONT_SMALL)
        b.add_widget(self.who)

        gps = Card()
        gps.add_widget(Text(_("GPS"), bold=True))
        self.fix_text = Text("")
        gps.add_widget(self.fix_text)
        b.add_widget(gps)

        # What is waiting, said prominently (offline it stays on the phone until it is sent).
        self.waiting_banner = Text("", bold=True, size=theme.FONT, color=theme.TEXT, padding=[theme.PAD, dp(8)])
        self.waiting_box = Column(fill=theme.NOTICE, radius=dp(8))
        self.waiting_box.add_widget(self.waiting_banner)
        b.add_widget(self.waiting_box)
        sync = Card()
        head = Row(height=dp(30))
        head.add_widget(Text(_("Sync"), bold=True, fill_height=True))
        sync.add_widget(head)
        self.sync_text = Text("")
        sync.add_widget(self.sync_text)
        row = Row()
        self.failures_button = Btn("", on_press=lambda: self.app.go("failures"), kind="secondary")
        row.add_widget(self.failures_button)
        row.add_widget(Btn(_("Sync now"), on_press=self.sync_now, kind="secondary"))
        sync.add_widget(row)
        b.add_widget(sync)

        self.actions = Column()
        b.add_widget(self.actions)

        b.add_widget(Text(_("Nearest outfalls"), bold=True, size=theme.FONT_TITLE))
        self.nearest_list = Column()
        b.add_widget(self.nearest_list)
        b.add_widget(Btn(_("Settings: map tiles, sunlight display"), on_press=lambda: self.app.go("settings"),
                         kind="secondary"))
        b.add_widget(Btn(_("Sign out"), on_press=self.sign_out, kind="secondary"))

    def refresh(self):
        s = self.services
        user = s.user or {}
        self.who.text = "{name} · {role} · {district}".format(
            name=user.get("displayName") or user.get("username") or "",
            role=labels.label(labels.ROLES, user.get("role")), district=place(user.get("district")))
        self._show_actions(user.get("role"))
        fix = s.fix()
        if fix is None:
            self.fix_text.text = _("Waiting for a GPS fix…")
        else:
            acc = f" ±{fix.accuracy_m:.0f} m" if fix.accuracy_m is not None else ""
            self.fix_text.text = _("{lat:.5f}, {lon:.5f}{acc} at {time}").format(
                lat=fix.lat, lon=fix.lon, acc=acc, time=local_time(fix.at.isoformat()))
        self._show_sync()
        self._show_nearest(fix)

    def _show_actions(self, role):
        self.actions.clear_widgets()
        self.actions.add_widget(Btn(_("Map"), on_press=lambda: self.app.go("map")))
        words = {"register": (_("Register outfall here"), "register"), "patrol": (_("Patrol track"), "patrol"),
                 "tasks": (_("My tasks"), "tasks"), "review": (_("Review queue"), "review")}
        for key in ACTIONS.get(role, ()):
            text, screen = words[key]
            self.actions.add_widget(Btn(text, on_press=lambda sc=screen: self.app.go(sc)))

    def _show_sync(self):
        c = self.services.store.counts()
        state = {True: _("online"), False: _("offline"), None: _("not tried yet")}[self.services.online]
        lines = [_("Waiting: {records} records, {photos} photos").format(records=c.records_waiting,
                                                                         photos=c.photos_waiting),
                 _("Last sync: {time} ({state})").format(time=local_time(c.last_sync_at), state=state)]
        if c.needs_sign_in:
            lines.append(_("Sign in again to send your records."))
        self.sync_text.text = "\n".join(lines)
        waiting = c.records_waiting + c.photos_waiting
        if waiting and self.services.online is False:
            self.waiting_banner.text = _("OFFLINE: {records} records and {photos} photos are only on this phone. "
                                         "They are sent when there is signal.").format(
                records=c.records_waiting, photos=c.photos_waiting)
        elif waiting:
            self.waiting_banner.text = _("Not sent yet: {records} records, {photos} photos.").format(
                records=c.records_waiting, photos=c.photos_waiting)
        elif self.services.online is False:
            self.waiting_banner.text = _("OFFLINE: nothing waiting; new records stay on this phone until sent.")
        else:
            self.waiting_banner.text = ""
        self.waiting_box.opacity = 1 if self.waiting_banner.text else 0
        self.waiting_box.height = self.waiting_banner.height if self.waiting_banner.text else 0
        self.failures_button.text = _("Failures: {n}").format(n=c.failures)
        self.failures_button.background_color = theme.DANGER if c.failures else theme.SECONDARY_BUTTON
        self.failures_button.color = theme.ON_PRIMARY if c.failures else theme.TEXT

    def _show_nearest(self, fix):
        self.nearest_list.clear_widgets()
        if fix is None:
            self.nearest_list.add_widget(Text(_("Nearest outfalls appear once the GPS has a fix."),
                                              color=theme.MUTED))
            return
        items = self.services.nearest(fix, self.NEAREST)
        if not items:
            self.nearest_list.add_widget(Text(_("No outfalls cached for your district yet: sync when online."),
                                              color=theme.MUTED))
        for it in items:
            o = it.outfall
            code = o.get("code") or _("not yet synced")
            text = "{name}\n{dist} {bearing} · {code} · {cat}".format(
                name=o.get("name"), dist=distance(it.distance_m), bearing=compass(it),
                code=code, cat=labels.label(labels.CATEGORIES, o.get("category")))
            btn = Btn(text, on_press=lambda o=o: self.app.go("outfall", outfall=o), kind="secondary",
                      height=dp(58))
            btn.halign = "left"
            self.nearest_list.add_widget(btn)

    def sync_now(self):
        self.say(_("Syncing…"), ok=True)
        self.app.sync_now(on_done=self._synced)

    def _synced(self, report):
        """Say what reached the server, and never claim a sync that did not."""
        c = self.services.store.counts()
        if report is None or self.services.online is False or (report and report.stopped == "offline"):
            self.say(_("Not sent: no connection to the server. {records} records and {photos} photos wait on "
                       "this phone.").format(records=c.records_waiting, photos=c.photos_waiting))
        elif report.stopped == "sign_in":
            self.say(_("Not sent: sign in again."))
        elif c.records_waiting or c.photos_waiting:
            self.say(_("Sent {sent} records; {records} records and {photos} photos still wait.").format(
                sent=report.records_sent, records=c.records_waiting, photos=c.photos_waiting))
        else:
            self.say(_("Sent to the server: {sent} records, {photos} photos. Nothing waiting.").format(
                sent=report.records_sent, photos=report.photos_ready), ok=True)
        self.refresh()

    def sign_out(self):
        self.services.sign_out()
        self.app.history.clear()
        self.app.sm.current = "signin"

    def on_fix(self, _fix):
        self.refresh()
