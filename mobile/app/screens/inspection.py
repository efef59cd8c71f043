"""Inspect an outfall: flowing or not, what was seen, rapid-test readings, photos.

Each reading is judged against the cached limits as it is typed (core's limits.for_outfall), so an
exceedance shows at once, with or without signal.
"""
from __future__ import annotations

from kivy.metrics import dp

from mobile.app import labels, theme
from mobile.app.formatting import error_text, times_over
from mobile.app.i18n import _
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Field, NumberField, PhotoSlot, Row, Text, Toggle
from mobile.core import actions, limits


class InspectionPage(Page):
    name_ = "inspection"

    def page_title(self):
        return _("Inspection")

    @property
    def outfall(self) -> dict:
        return self.params.get("outfall") or {}

    def build(self):
        b = self.body
        self.heading = Text("", bold=True, size=theme.FONT_TITLE)
        b.add_widget(self.heading)
        self.flowing = Toggle(_("Flowing: yes"), _("Flowing: no"), kind="secondary")
        b.add_widget(self.flowing)
        b.add_widget(Text(_("Observations"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.note = Field(hint=_("colour, smell, foam, what drains here…"), multiline=True, height=dp(80))
        b.add_widget(self.note)

        b.add_widget(Text(_("Rapid-test readings"), bold=True))
        self.summary = Text("", bold=True)
        b.add_widget(self.summary)
        card = Card()
        self.fields: dict[str, NumberField] = {}
        self.verdicts: dict[str, Text] = {}
        for code in labels.PARAMETERS:
            row = Row(height=theme.FIELD_H)
            unit = limits.UNITS.get(code) or ""
            row.add_widget(Text(f"{labels.parameter_name(code)}" + (f" ({unit})" if unit else ""),
                                size=theme.FONT_SMALL, size_hint_x=0.45, fill_height=True))
            field = NumberField(size_hint_x=0.25)
            field.bind(text=lambda *_a: self.judge())
            row.add_widget(field)
            verdict = Text("", size=theme.FONT_SMALL, size_hint_x=0.30, fill_height=True)
            row.add_widget(verdict)
            card.add_widget(row)
            self.fields[code], self.verdicts[code] = field, verdict
        b.add_widget(card)

        photos = Row(height=dp(170))
        self.photo = PhotoSlot(_("Outfall photo"), on_pick=lambda: self.take_photo(self.photo))
        self.sample_photo = PhotoSlot(_("Test kit / sample"), on_pick=lambda: self.take_photo(self.sample_photo))
        photos.add_widget(self.photo)
        photos.add_widget(self.sample_photo)
        b.add_widget(photos)
        b.add_widget(Btn(_("Save and queue for upload"), on_press=self.submit))

    def refresh(self):
        o = self.outfall
        self.heading.text = f"{o.get('name') or ''} {o.get('code') or ''}".strip()
        self.judge()

    def readings(self) -> tuple[dict[str, float], dict[str, str]]:
        """Typed values as numbers, and fields that are not numbers."""
        values, bad = {}, {}
        for code, field in self.fields.items():
            t = field.text.strip()
            if not t:
                continue
            try:
                values[code] = float(t)
            except ValueError:
                bad[code] = _("not a number")
        return values, bad

    def judge(self):
        values, bad = self.readings()
        for code in self.verdicts:
            self.verdicts[code].text = bad.get(code, "")
            self.verdicts[code].color = theme.DANGER
        rows = self.services.store.limits()
        exceeded = []
        for code, value in values.items():
            try:
                j = limits.for_outfall(rows, self.outfall, {code: value, **(
                    {"WATER_TEMP": values["WATER_TEMP"]} if "WATER_TEMP" in values else {})})[0]
            except ValueError as e:  # implausible: the server would refuse it too
                self.verdicts[code].text = _("implausible")
                self.verdicts[code].color = theme.DANGER
                self.say(str(e))
                continue
            v = self.verdicts[code]
            bound = (f"{j.limit_low:g}–{j.limit:g}" if j.direction == "range" and j.limit_low is not None
                     else f"≥{j.limit:g}" if j.direction == "min" else f"{j.limit:g}" if j.limit is not None else "")
            if j.limit is None:
                v.text, v.color = _("no limit"), theme.MUTED
            elif j.exceeded:
                ratio = times_over(j.exceedance_multiple)
                v.text, v.color = _("EXCEEDS {limit}").format(limit=bound) + ratio, theme.DANGER
                exceeded.append(f"{labels.parameter_name(code)}{ratio} ({j.standard})")
            else:
                v.text, v.color = _("within {limit}").format(limit=bound), theme.OK
        if exceeded:
            self.summary.text = _("Exceedance: {what}. A task will be raised when this reaches the server.").format(
                what="; ".join(exceeded))
            self.summary.color = theme.DANGER
        else:
            self.summary.text = _("Readings are judged against the cached limits as you type.")
            self.summary.color = theme.MUTED

    def submit(self):
        values, bad = self.readings()
        if bad:
            self.say(_("Fix the readings marked in red first."))
            return
        photos = [p for p in ((self.photo.path, "GENERAL"), (self.sample_photo.path, "SAMPLE")) if p[0]]
        try:
            actions.record_inspection(self.services.store, outfall=self.outfall, position=self.services.fix(),
                                      flowing=self.flowing.active, note=self.note.text.strip() or None,
                                      measurements=values, photos=photos)
        except Exception as e:  # noqa: BLE001 - StoreError / implausible reading: say why
            self.say(error_text(e))
            return
        self.app.sync_now()
        self.rebuild()
        self.app.back()
        self.app.page(self.app.sm.current).say(_("Inspection saved; it will be sent when there is signal."), ok=True)
