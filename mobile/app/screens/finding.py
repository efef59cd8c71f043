"""Quick finding during a patrol: a photo, a note and a kind, reported at the current point.

Near a known outfall (within actions.FINDING_OUTFALL_RADIUS_M) it becomes an inspection of that
outfall; elsewhere a task for the district at that point; both are today's flows. A finding is a
new record: keyed by a client id made when it is started (FormPage), offered back until saved or
discarded.
"""
from __future__ import annotations

import uuid

from kivy.metrics import dp

from mobile.app import labels, theme
from mobile.app.formatting import distance, error_text
from mobile.app.i18n import _
from mobile.app.screens.form import FormPage
from mobile.app.widgets import Btn, Column, Field, PhotoStrip, Picker, Text
from mobile.core import actions


class FindingPage(FormPage):
    name_ = "finding"
    form = "finding"

    def page_title(self):
        return _("Report a problem here")

    def record_key(self):
        if self.params.get("draft"):
            return self.params["draft"]
        pending = self.services.drafts.all("finding")
        return pending[0].record if pending else str(uuid.uuid4())

    def build(self):
        b = self.body
        self.where = Text("", color=theme.MUTED, size=theme.FONT_SMALL)
        b.add_widget(self.where)
        b.add_widget(Text(_("What is wrong"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.kind = self.watch(Picker([(k, labels.label(labels.TASK_KINDS, k)) for k in actions.FINDING_KINDS],
                                      _("Choose a kind")))
        b.add_widget(self.kind)
        self.photo = PhotoStrip(_("Photos"), on_add=lambda: self.take_photo_into("GENERAL"), on_change=self.changed,
                                on_open=self.open_photo)
        b.add_widget(self.photo)
        b.add_widget(Text(_("Note"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.note = self.watch(Field(hint=_("what you see"), multiline=True, height=dp(96)))
        b.add_widget(self.note)

    def build_footer(self):
        bar = Column(fill=theme.CARD, padding=[theme.PAD, dp(6)])
        bar.add_widget(Btn(_("Save and queue for upload"), on_press=self.submit))
        return bar

    def near(self, fix):
        items = self.services.nearest(fix, 1) if fix else []
        it = items[0] if items else None
        return it if it is not None and it.distance_m <= actions.FINDING_OUTFALL_RADIUS_M else None

    def refresh(self):
        fix = self.services.fix()
        near = self.near(fix)
        if fix is None:
            self.where.text = _("Waiting for a GPS fix…")
        elif near:
            self.where.text = _("At {name} ({dist}): this becomes an inspection of that outfall.").format(
                name=near.outfall.get("name"), dist=distance(near.distance_m))
        else:
            self.where.text = _("No outfall within {m} m: this becomes a task for the district at this point.").format(
                m=int(actions.FINDING_OUTFALL_RADIUS_M))

    def strips(self):
        return {"GENERAL": self.photo}

    def collect(self):
        return {"kind": self.kind.value, "note": self.note.text}

    def apply(self, values):
        if values.get("kind") in self.kind._by_value:
            self.kind.select(values["kind"])
        self.note.text = values.get("note") or ""

    def submit(self):
        fix = self.services.fix()
        if not self.kind.value:
            self.say(_("Still needed: {what}").format(what=_("kind")))
            return
        near = self.near(fix)
        user = self.services.user or {}
        kind_label = labels.label(labels.TASK_KINDS, self.kind.value)
        patrol = self.services.patrol
        try:
            actions.quick_finding(
                self.services.store, kind=self.kind.value, note=self.note.text.strip() or None, position=fix,
                district_code=(user.get("district") or {}).get("code"), title=_("Patrol finding: {kind}").format(
                    kind=kind_label), photos=list(self.photo.paths), near_outfall=near.outfall if near else None,
                patrol_id=patrol.id if patrol is not None and patrol.running else None)
        except Exception as e:  # noqa: BLE001 - StoreError says what is missing
            self.say(error_text(e))
            return
        self.record_saved()
        self.app.sync_now()
        self.app.back()
        self.app.page(self.app.sm.current).say(_("Finding saved; it will be sent when there is signal."), ok=True)
