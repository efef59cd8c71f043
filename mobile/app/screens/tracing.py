"""溯: the tracing record of one outfall, submitted for the city's review.

The responsible party (name, type, 统一社会信用代码 checked as it is typed, contact), the sources of the
sewage, how it was traced and a report; or "cannot be determined" with why (the server then names the
local government, 政府兜底). Queued offline like every record (idempotent on its clientId); the form
belongs to its outfall (FormPage), so unsaved work is that outfall's draft.
"""
from __future__ import annotations

import re

from kivy.metrics import dp
from kivy.uix.gridlayout import GridLayout

from mobile.app import labels, theme
from mobile.app.formatting import error_text
from mobile.app.i18n import _
from mobile.app.screens.form import OutfallFormPage
from mobile.app.widgets import after_flip, Btn, Card, Column, Field, Picker, Text, Toggle
from mobile.core import actions
from mobile.core.uscc import compact, uscc_error

_SPLIT = re.compile(r"[\n,，、;；]+")


def split_sources(text: str) -> list[str]:
    """Sources typed one a line, or separated by commas or 、."""
    return [s.strip() for s in _SPLIT.split(text or "") if s.strip()]


class TracingPage(OutfallFormPage):
    name_ = "tracing"
    form = "tracing"

    def page_title(self):
        return _("Tracing record")

    def build(self):
        b = self.body
        self.heading = Text("", bold=True, size=theme.FONT_TITLE)
        b.add_widget(self.heading)
        b.add_widget(Text(_("The city reviews the record; once approved the outfall is traced."),
                          size=theme.FONT_SMALL, color=theme.MUTED))
        self.determined = self.watch(Toggle(_("Responsible party found"), _("Cannot be determined"), active=True,
                                            kind="secondary"))
        self.determined.bind(on_release=after_flip(self._show_mode))  # once the toggle has flipped
        b.add_widget(self.determined)
        self.party_card = Card()
        self.party_card.add_widget(Text(_("Responsible party"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.party_name = self.watch(Field(hint=_("name of the enterprise or unit")))
        self.party_card.add_widget(self.party_name)
        self.party_type = self.watch(Picker(labels.choices(labels.PARTY_TYPES), _("Type of party"),
                                            on_change=lambda _v: self._check_code()))
        self.party_card.add_widget(self.party_type)
        self.party_card.add_widget(Text(_("Unified social credit code"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.uscc = self.watch(Field(hint=_("18 characters, e.g. 91500103…")))
        self.uscc.bind(text=lambda *_a: self._check_code())
        self.party_card.add_widget(self.uscc)
        self.uscc_state = Text("", size=theme.FONT_SMALL, min_height=0)
        self.party_card.add_widget(self.uscc_state)
        self.party_card.add_widget(Text(_("Contact"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.contact = self.watch(Field(hint=_("contact (person, phone): not shown to the public")))
        self.party_card.add_widget(self.contact)
        self.party_card.add_widget(Text(_("Sources of the sewage (one a line)"), size=theme.FONT_SMALL,
                                        color=theme.MUTED))
        self.sources = self.watch(Field(hint=_("e.g. production wastewater, domestic sewage"), multiline=True,
                                        height=dp(80)))
        self.party_card.add_widget(self.sources)
        self.reason_card = Card()
        self.reason_card.add_widget(Text(_("Why the party cannot be determined"), size=theme.FONT_SMALL,
                                         color=theme.MUTED))
        self.reason = self.watch(Field(hint=_("what was checked and why it did not find one"), multiline=True,
                                       height=dp(96)))
        self.reason_card.add_widget(self.reason)
        self.reason_card.add_widget(Text(_("The local government is then responsible."), size=theme.FONT_SMALL,
                                         color=theme.MUTED))
        self.mode = Column()
        b.add_widget(self.mode)
        b.add_widget(Text(_("How it was traced"), bold=True))
        self.methods = GridLayout(cols=2, spacing=dp(6), size_hint_y=None)
        self.methods.bind(minimum_height=self.methods.setter("height"))
        self.method_buttons: dict[str, Toggle] = {}
        for key in labels.TRACING_METHODS:
            t = Toggle(labels.label(labels.TRACING_METHODS, key), labels.label(labels.TRACING_METHODS, key),
                       kind="secondary", height=theme.TARGET_H)
            t.bind(on_release=self.changed)
            self.method_buttons[key] = t
            self.methods.add_widget(t)
        b.add_widget(self.methods)
        b.add_widget(Text(_("Report"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.report = self.watch(Field(hint=_("what was found, step by step"), multiline=True, height=dp(110)))
        b.add_widget(self.report)
        self._show_mode()

    def build_footer(self):
        bar = Column(fill=theme.CARD, padding=[theme.PAD, dp(6)])
        bar.add_widget(Btn(_("Submit for review"), on_press=self.submit))
        return bar

    def _show_mode(self):
        self.mode.clear_widgets()
        self.mode.add_widget(self.party_card if self.determined.active else self.reason_card)

    def _check_code(self):
        code = compact(self.uscc.text)
        err = uscc_error(code)
        if err:
            self.uscc_state.text, self.uscc_state.color = _(err), theme.DANGER
        elif code:
            self.uscc_state.text, self.uscc_state.color = _("Code checks out (GB 32100-2015)"), theme.OK
        elif self.party_type.value == "ENTERPRISE":
            self.uscc_state.text, self.uscc_state.color = _("An enterprise is named with its code."), theme.MUTED
        else:
            self.uscc_state.text = ""

    def refresh(self):
        o = self.outfall
        self.heading.text = f"{o.get('name') or ''} {o.get('code') or ''}".strip()
        self._check_code()

    def chosen_methods(self) -> list[str]:
        return [k for k, t in self.method_buttons.items() if t.active]

    # Draft ------------------------------------------------------------------------------------
    def collect(self):
        return {"determined": self.determined.active, "name": self.party_name.text, "type": self.party_type.value,
                "uscc": self.uscc.text, "contact": self.contact.text, "sources": self.sources.text,
                "reason": self.reason.text, "methods": self.chosen_methods(), "report": self.report.text}

    def has_content(self, values):
        return super().has_content({k: v for k, v in values.items() if k != "determined"})

    def apply(self, v):
        if bool(v.get("determined", True)) != self.determined.active:
            self.determined.flip()
            self._show_mode()
        self.party_name.text = v.get("name") or ""
        if v.get("type") in self.party_type._by_value:
            self.party_type.select(v["type"])
        self.uscc.text, self.contact.text = v.get("uscc") or "", v.get("contact") or ""
        self.sources.text, self.reason.text = v.get("sources") or "", v.get("reason") or ""
        self.report.text = v.get("report") or ""
        for k, t in self.method_buttons.items():
            if (k in (v.get("methods") or [])) != t.active:
                t.flip()

    def after_restore(self):
        self._check_code()

    # Saving -----------------------------------------------------------------------------------
    def submit(self):
        try:
            actions.submit_tracing_record(
                self.services.store, outfall=self.outfall, determined=self.determined.active,
                party_name=self.party_name.text, party_type=self.party_type.value, uscc=self.uscc.text,
                contact=self.contact.text, sources=split_sources(self.sources.text), methods=self.chosen_methods(),
                report=self.report.text, undetermined_reason=self.reason.text)
        except Exception as e:  # noqa: BLE001 - StoreError: what the server would refuse, said here
            self.say(_(error_text(e)))
            return
        self.record_saved()
        self.app.sync_now()
        self.app.back()
        self.app.page(self.app.sm.current).say(_("Tracing record saved; it goes to the city for review."), ok=True)
