"""Sign in: server, user, password. Online when the server answers; offline with the cached session."""
from __future__ import annotations

from mobile.app import background, theme
from mobile.app.formatting import error_text
from mobile.app.i18n import _, language
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Field, Row, Text


class SignInPage(Page):
    name_ = "signin"
    back = False

    def page_title(self):
        return _("Outfall Watch")

    def build(self):
        b = self.body
        b.add_widget(Text(_("River outfall patrol"), size=theme.FONT_BIG, bold=True, halign="center"))
        b.add_widget(Text(_("Find, inspect and clean up the outfalls draining into our rivers."),
                          color=theme.MUTED, halign="center"))
        card = Card()
        card.add_widget(Text(_("Server address"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.server = Field(hint="https://…")
        card.add_widget(self.server)
        card.add_widget(Text(_("User name"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.username = Field(hint=_("e.g. inspector"))
        card.add_widget(self.username)
        card.add_widget(Text(_("Password"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.password = Field(password=True)
        card.add_widget(self.password)
        b.add_widget(card)
        self.sign_in_button = Btn(_("Sign in"), on_press=self.submit)
        b.add_widget(self.sign_in_button)
        self.offline_note = Text("", color=theme.MUTED, size=theme.FONT_SMALL)
        b.add_widget(self.offline_note)
        row = Row()
        row.add_widget(Btn("中文", on_press=lambda: self.app.set_language("zh_CN"),
                           kind="primary" if language() == "zh_CN" else "secondary"))
        row.add_widget(Btn("English", on_press=lambda: self.app.set_language("en"),
                           kind="primary" if language() == "en" else "secondary"))
        b.add_widget(row)

    def refresh(self):
        s = self.services
        if not self.server.text:
            self.server.text = s.client.base_url
        session = s.store.session()
        if session and not self.username.text:
            self.username.text = session.username
        self.offline_note.text = (
            _("Signed in before as {user}: you can sign in without signal.").format(user=session.username)
            if session else _("The first sign-in needs a connection to the server."))

    def submit(self):
        server, user, pw = self.server.text.strip(), self.username.text.strip(), self.password.text
        if not (server and user and pw):
            self.say(_("Enter the server address, your user name and your password."))
            return
        self.sign_in_button.disabled = True
        self.say(_("Signing in…"), ok=True)
        background.run(self.services.sign_in, server, user, pw, on_done=self._signed_in, on_error=self._failed)

    def _signed_in(self, user):
        self.sign_in_button.disabled = False
        self.password.text = ""
        self.app.history.clear()
        self.app.go("home")
        self.app.history.clear()
        self.app.sync_now()  # send whatever waited for this sign-in; refreshes the badge

    def _failed(self, exc):
        self.sign_in_button.disabled = False
        self.say(error_text(exc))
