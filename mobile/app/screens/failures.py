"""What could not be sent, each with the server's reason; retry or discard one by one."""
from __future__ import annotations

from mobile.app import labels, theme
from mobile.app.formatting import error_text, local_time
from mobile.app.i18n import _
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Row, Text, confirm


class FailuresPage(Page):
    name_ = "failures"

    def page_title(self):
        return _("Sync failures")

    def refresh(self):
        self.body.clear_widgets()
        items = self.services.failures()
        if not items:
            self.body.add_widget(Text(_("Nothing failed: everything was sent or is waiting its turn."),
                                      color=theme.MUTED))
        for f in items:
            card = Card()
            card.add_widget(Text(f"{labels.label(labels.OUTBOX_KINDS, f.kind)} · {local_time(f.created_at)}",
                                 bold=True))
            if f.title:
                card.add_widget(Text(f.title))
            card.add_widget(Text(_("Reason: {why}").format(why=f.reason), color=theme.DANGER))
            row = Row()
            row.add_widget(Btn(_("Retry"), on_press=lambda f=f: self._do(self.services.store.retry, f)))
            row.add_widget(Btn(_("Discard"), kind="danger", on_press=lambda f=f: confirm(
                _("Discard this record?"), _("It is deleted from this phone and will never reach the server."),
                _("Discard"), lambda: self._do(self.services.store.discard, f))))
            card.add_widget(row)
            self.body.add_widget(card)

    def _do(self, action, failure):
        try:
            action(failure.client_id)
        except Exception as e:  # noqa: BLE001 - StoreError explains itself
            self.say(error_text(e))
            return
        self.refresh()
        self.app.sync_now()
