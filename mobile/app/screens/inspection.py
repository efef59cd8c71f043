"""Inspect an outfall: flowing or not, what was seen, rapid-test readings, photos.

The form belongs to one outfall (FormPage): its unsaved work is that outfall's draft. Only the
parameters the inspector picks are shown (the last set is remembered on the phone); Save and the
live exceedance summary sit in a fixed bar under the scrolling form, so Save is always reachable
and the summary changing never moves a field. Each reading is judged as it is typed, with or without
signal, as the server will judge it (core's limits.assess): effluent against this outfall's own
standard, grade and approved limits (cached with it), river water against the receiving target.
"""
from __future__ import annotations

import json

from kivy.metrics import dp
from kivy.uix.gridlayout import GridLayout

from mobile.app import labels, theme
from mobile.app.formatting import error_text, times_over
from mobile.app.i18n import _
from mobile.app.screens.form import OutfallFormPage
from mobile.app.widgets import after_flip, Btn, Card, Column, Field, NumberField, PhotoStrip, Picker, Row, Text, Toggle
from mobile.core import actions, limits

DEFAULT_PARAMETERS = ("COD", "NH3_N", "PH")
LAST_SET_KEY = "inspection_parameters"


class InspectionPage(OutfallFormPage):
    name_ = "inspection"
    form = "inspection"
    settings_keys = ("parameters",)

    def page_title(self):
        return _("Inspection")

    # Widgets ----------------------------------------------------------------------------------
    def build(self):
        b = self.body
        self.heading = Text("", bold=True, size=theme.FONT_TITLE)
        b.add_widget(self.heading)
        self.flowing = self.watch(Toggle(_("Flowing: yes"), _("Flowing: no"), kind="secondary"))
        self.flowing.bind(on_release=after_flip(self._flowing_changed))
        b.add_widget(self.flowing)
        # Dry: nothing to sample at the outfall (river water may still be sampled); recorded as such.
        self.dry = self.watch(Toggle(_("Dry: nothing to sample"), _("Not dry"), kind="secondary"))
        # After the toggle's own flip: Kivy calls the handler bound last first, and a truthy return
        # would stop the flip, so after_flip returns None.
        self.dry.bind(on_release=after_flip(self._dry_changed))
        b.add_widget(self.dry)
        b.add_widget(Text(_("Observations"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.note = self.watch(Field(hint=_("colour, smell, foam, what drains here…"), multiline=True,
                                     height=dp(96)))
        b.add_widget(self.note)

        b.add_widget(Text(_("Rapid-test readings"), bold=True))
        self.standard = Text("", size=theme.FONT_SMALL, color=theme.MUTED)
        b.add_widget(self.standard)
        self.sample = Picker(sample_choices(), _("Sample"), on_change=lambda _v: (self.judge(), self.changed()))
        self.sample.select("EFFLUENT")
        b.add_widget(self.sample)
        self.chooser_button = Btn(_("Choose parameters"), kind="secondary", on_press=self.toggle_chooser)
        b.add_widget(self.chooser_button)
        self.chooser = GridLayout(cols=3, spacing=dp(6), size_hint_y=None, height=0)
        self.chooser.bind(minimum_height=self.chooser.setter("height"))
        self.choice_buttons: dict[str, Toggle] = {}
        b.add_widget(self.chooser)
        self.readings_card = Card()
        b.add_widget(self.readings_card)
        self.fields: dict[str, NumberField] = {}
        self.verdicts: dict[str, Text] = {}
        self.chosen: list[str] = []

        self.photo = PhotoStrip(_("Outfall photos"), on_add=lambda: self.take_photo_into("GENERAL"),
                                on_change=self.changed, on_open=self.open_photo)
        self.sample_photo = PhotoStrip(_("Test kit / sample photos"), on_add=lambda: self.take_photo_into("SAMPLE"),
                                       on_change=self.changed, on_open=self.open_photo)
        b.add_widget(self.photo)
        b.add_widget(self.sample_photo)

    def build_footer(self):
        bar = Column(fill=theme.CARD, padding=[theme.PAD, dp(6)], spacing=dp(6))
        # Two lines, always: a longer summary is cut, never pushes anything.
        self.summary = Text("", bold=True, size=theme.FONT_SMALL, fixed_height=dp(48), max_lines=2)
        bar.add_widget(self.summary)
        bar.add_widget(Btn(_("Save and queue for upload"), on_press=self.submit))
        return bar

    def toggle_chooser(self):
        if self.chooser.children:
            self.chooser.clear_widgets()
            return
        for code in labels.PARAMETERS:
            t = Toggle(labels.parameter_name(code), labels.parameter_name(code), active=code in self.chosen,
                       kind="secondary", height=theme.TARGET_H)
            t.bind(on_release=lambda _b, c=code: self._pick(c))
            self.chooser.add_widget(t)

    def _pick(self, code):
        chosen = [c for c in self.chosen if c != code] if code in self.chosen else self.chosen + [code]
        self.show_parameters(chosen)
        self.services.store.set_meta(**{LAST_SET_KEY: json.dumps(self.chosen)})
        self.changed()

    def show_parameters(self, chosen, values=None):
        """Rows for the chosen parameters in the standard order, keeping what was typed."""
        typed = {c: f.text for c, f in self.fields.items()}
        typed.update(values or {})
        self.chosen = [c for c in labels.PARAMETERS if c in chosen]
        self.readings_card.clear_widgets()
        self.fields, self.verdicts = {}, {}
        if not self.chosen:
            self.readings_card.add_widget(Text(_("No parameters chosen."), color=theme.MUTED))
        for code in self.chosen:
            row = Row(height=theme.FIELD_H)
            unit = limits.UNITS.get(code) or ""
            row.add_widget(Text(f"{labels.parameter_name(code)}" + (f" ({unit})" if unit else ""),
                                size=theme.FONT_SMALL, size_hint_x=0.40, fill_height=True))
            field = NumberField(size_hint_x=0.25, text=typed.get(code) or "")
            field.bind(text=lambda *_a: (self.judge(), self.changed()))
            row.add_widget(field)
            verdict = Text("", size=theme.FONT_SMALL, size_hint_x=0.35, fill_height=True)
            row.add_widget(verdict)
            self.readings_card.add_widget(row)
            self.fields[code], self.verdicts[code] = field, verdict
        self.judge()

    def last_set(self) -> list[str]:
        raw = self.services.store.get_meta(LAST_SET_KEY)
        try:
            got = [c for c in json.loads(raw) if c in labels.PARAMETERS] if raw else None
        except ValueError:
            got = None
        return list(DEFAULT_PARAMETERS) if got is None else got

    def refresh(self):
        o = self.outfall
        self.heading.text = f"{o.get('name') or ''} {o.get('code') or ''}".strip()
        self.standard.text = standard_line(o)
        self.show_parameters(self.last_set())

    # Draft ------------------------------------------------------------------------------------
    def strips(self):
        return {"GENERAL": self.photo, "SAMPLE": self.sample_photo}

    def _flowing_changed(self):
        if self.flowing.active and self.dry.active:
            self.dry.flip()  # flowing after all: not dry
            self.judge()

    def _dry_changed(self):
        if self.dry.active and self.flowing.active:
            self.flowing.flip()  # dry is not flowing
        if self.dry.active and self.sample.value == "EFFLUENT":
            self.say(_("Dry: no effluent to sample. River water up- or downstream may still be sampled."), ok=True)
        self.judge()

    def collect(self):
        return {"dry": self.dry.active, "flowing": self.flowing.active, "note": self.note.text, "parameters": list(self.chosen),
                "readings": {c: f.text for c, f in self.fields.items() if f.text.strip()},
                "sample": self.sample.value if self.sample.value != "EFFLUENT" else None}

    def apply(self, values):
        if bool(values.get("flowing")) != self.flowing.active:
            self.flowing.flip()
        if bool(values.get("dry")) != self.dry.active:
            self.dry.flip()
        self.note.text = values.get("note") or ""
        if values.get("sample") in limits.SAMPLE_TYPES:
            self.sample.select(values["sample"])
        readings = values.get("readings") or {}
        self.show_parameters(list(values.get("parameters") or self.chosen) + list(readings), readings)

    # Judging ----------------------------------------------------------------------------------
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
        if not hasattr(self, "summary"):
            return
        values, bad = self.readings()
        for code in self.verdicts:
            self.verdicts[code].text = bad.get(code, "")
            self.verdicts[code].color = theme.DANGER
        rows = self.services.store.limits() if self.app else []
        sample = self.sample.value or "EFFLUENT"
        exceeded = []
        for code, value in values.items():
            try:
                j = limits.assess(rows, self.outfall, code, value, sample_type=sample,
                                  water_temp=values.get("WATER_TEMP"))
            except ValueError as e:  # implausible: the server would refuse it too
                self.verdicts[code].text = _("implausible")
                self.verdicts[code].color = theme.DANGER
                self.say(str(e))
                continue
            v = self.verdicts[code]
            bound = (f"{j.limit_low:g}–{j.limit:g}" if j.direction == "range" and j.limit_low is not None
                     else f"≥{j.limit:g}" if j.direction == "min" else f"{j.limit:g}" if j.limit is not None else "")
            if j.limit is None:
                v.text, v.color = reason_text(j.reason), theme.MUTED
            elif j.exceeded:
                times = times_over(j.exceedance_multiple)
                v.text, v.color = _("EXCEEDS {limit}").format(limit=bound) + ("\n" + times.strip() if times else ""), \
                    theme.DANGER
                exceeded.append(f"{labels.parameter_name(code)}{times}")
            else:
                v.text, v.color = _("within {limit}").format(limit=bound), theme.OK
        if getattr(self, "dry", None) is not None and self.dry.active and sample == "EFFLUENT" and not values:
            self.summary.text = _("Dry: recorded with nothing sampled.")
            self.summary.color = theme.MUTED
        elif exceeded:
            self.summary.text = _("Exceedance: {what}").format(what="；".join(exceeded)) + "\n" + _(
                "A task is raised when this reaches the server.")
            self.summary.color = theme.DANGER
        elif sample == "EFFLUENT" and limits.standard_of(self.outfall)[0] in ("UNASSIGNED", "STORMWATER") and \
                not self.outfall.get("approvedLimits"):
            self.summary.text = reason_text(limits.standard_of(self.outfall)[0], long=True)
        else:
            self.summary.text = _("Readings are judged against the cached limits as you type.")
            self.summary.color = theme.MUTED

    def after_restore(self):
        self.judge()

    # Saving -----------------------------------------------------------------------------------
    def submit(self):
        values, bad = self.readings()
        if bad:
            self.say(_("Fix the readings marked in red first."))
            return
        photos = [(p, "GENERAL") for p in self.photo.paths] + [(p, "SAMPLE") for p in self.sample_photo.paths]
        try:
            actions.record_inspection(self.services.store, outfall=self.outfall, position=self.services.fix(),
                                      flowing=self.flowing.active, note=self.note.text.strip() or None,
                                      measurements=values, photos=photos,
                                      sample_type=self.sample.value or "EFFLUENT", dry=self.dry.active)
        except Exception as e:  # noqa: BLE001 - StoreError / implausible reading: say why
            self.say(_(error_text(e)))
            return
        self.record_saved()
        self.app.sync_now()
        self.app.back()
        self.app.page(self.app.sm.current).say(_("Inspection saved; it will be sent when there is signal."), ok=True)


def sample_choices() -> list[tuple[str, str]]:
    return [("EFFLUENT", _("Sample: outfall effluent")), ("UPSTREAM", _("Sample: river water upstream")),
            ("DOWNSTREAM", _("Sample: river water downstream"))]


def standard_line(outfall: dict) -> str:
    """Which limits this outfall's effluent is held to, said before anything is typed."""
    key, grade = limits.standard_of(outfall)
    if outfall.get("approvedLimits"):
        label = _("approved limits") + (f" · {outfall['standardLabel']}" if outfall.get("standardLabel") else "")
    elif key in ("UNASSIGNED", "STORMWATER"):
        return reason_text(key, long=True)
    else:
        label = outfall.get("standardLabel") or key + (f" {grade}" if grade else "")
    return _("Effluent judged against: {standard}").format(standard=label)


def reason_text(reason: str | None, long: bool = False) -> str:
    """Why a reading is not judged, in the UI language (limits.REASONS)."""
    if long:
        return {"UNASSIGNED": _("Discharge standard not yet assigned: effluent readings are recorded, not judged."),
                "STORMWATER": _("Stormwater outlet: no discharge limit; flow in dry weather is the finding.")
                }.get(reason or "", _("not judged"))
    return {"STORMWATER": _("no limit (stormwater)"), "UNASSIGNED": _("standard to be assigned"),
            "NO_TABLE": _("no approved limit"), "NO_GRADE": _("grade to be assigned"),
            "NOT_SET": _("not set by the standard"), "NO_TARGET": _("no target for this river")
            }.get(reason or "", _("no limit"))
