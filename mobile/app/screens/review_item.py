"""One rectification under review: the original finding (the inspection's readings and photos) beside
the district's before and after photos, each photo tap-to-zoom, the evidence checks, and a decision.

Approving asks first, naming every failing check; rejecting needs a reason. The form belongs to one
submission (FormPage): a reason typed for one submission stays with it.
"""
from __future__ import annotations

from kivy.metrics import dp

from mobile.app import background, labels, theme
from mobile.app.evidence_map import PHOTO_COLOUR, EvidenceMap
from mobile.app.formatting import distance, error_text, local_time, times_over
from mobile.app.i18n import _, language
from mobile.app.lookups import submission_evidence
from mobile.app.screens.form import FormPage
from mobile.app.widgets import Btn, Card, Column, Field, Row, Text, ThumbButton, confirm, show_photo
from mobile.core import actions, evidence, mapping


def _hex(colour) -> str:
    return "".join(f"{round(c * 255):02x}" for c in colour[:3])


def _severity_colour(sev):
    return {"FAIL": theme.DANGER, "WARNING": theme.ACCENT}.get(sev, theme.MUTED)


class ReviewItemPage(FormPage):
    name_ = "review_item"
    form = "review"

    def page_title(self):
        return _("Task evidence") if self.readonly else _("Review")

    @property
    def readonly(self) -> bool:
        """Opened from My tasks: the finding and the evidence to look at, no decision."""
        return bool(getattr(self, "params", {}).get("readonly"))

    @property
    def task(self) -> dict:
        return self.params.get("task") or {}

    @property
    def submission(self) -> dict:
        return self.task.get("latestSubmission") or {}

    def record_key(self):
        if self.readonly:
            return None  # nothing to type, nothing to keep
        return str(self.submission.get("id") or self.task.get("id") or "") or None

    def build(self):
        b = self.body
        self.heading = Text("", bold=True, size=theme.FONT_TITLE)
        b.add_widget(self.heading)
        self.evidence = Column()
        self.evidence.add_widget(Text(_("Loading evidence checks…"), size=theme.FONT_SMALL, color=theme.MUTED))
        b.add_widget(self.evidence)
        self.reason = self.watch(Field(hint=_("what is missing or wrong"), multiline=True, height=dp(96)))
        self.failing: list[str] = []
        self.evidence_shown: list[dict] | None = None  # set when the checks are drawn (read by the UI test)
        if self.readonly:
            return
        b.add_widget(Text(_("Reason (needed to reject)"), size=theme.FONT_SMALL, color=theme.MUTED))
        b.add_widget(self.reason)

    def build_footer(self):
        if self.readonly:
            return None
        bar = Row(height=theme.BUTTON_H + dp(12), fill=theme.CARD, padding=[theme.PAD, dp(6)])
        bar.add_widget(Btn(_("Reject"), kind="danger", on_press=self.reject))
        bar.add_widget(Btn(_("Approve"), kind="ok", on_press=self.ask_approve))
        return bar

    def refresh(self):
        t = self.task
        self.heading.text = labels.readable_title(t.get("title"))
        background.run(submission_evidence, self.services.client, self.services.store, t["id"],
                       on_done=lambda res: self._show(*res))

    def collect(self):
        return {"reason": self.reason.text}

    def apply(self, values):
        self.reason.text = values.get("reason") or ""

    # Evidence ---------------------------------------------------------------------------------
    def _photos_row(self, media, word):
        row = Row(height=ThumbButton.size_for() + dp(4))
        shown = 0
        for n, m in enumerate(media, start=1):
            if m.get("localPath"):
                row.add_widget(ThumbButton(m["localPath"], on_press=lambda p=m["localPath"], w=f"{word} {n}":
                                           show_photo(p, title=w)))
                shown += 1
        if not shown:
            row.add_widget(Text(_("no picture"), size=theme.FONT_SMALL, color=theme.MUTED))
        return row

    def _show(self, task, fresh):
        box = self.evidence
        box.clear_widgets()
        task = task or {}
        finding = Card()
        finding.add_widget(Text(_("Original finding"), bold=True))
        ins = task.get("raisedBy")
        if task.get("description"):
            finding.add_widget(Text(task["description"], size=theme.FONT_SMALL))
        if ins:
            who = (ins.get("inspector") or {}).get("displayName") or ""
            finding.add_widget(Text(f"{local_time(ins.get('observedAt'))} · {who}", size=theme.FONT_SMALL,
                                    color=theme.MUTED))
            for m in ins.get("measurements") or []:
                line = f"{labels.parameter_name(m['parameter'])} {m['value']:g} {m.get('unit') or ''}".strip()
                if m.get("exceeded"):
                    line += "  " + _("EXCEEDS {standard}").format(standard=m.get("standard") or "") + times_over(
                        m.get("exceedanceMultiple"))
                finding.add_widget(Text(line, size=theme.FONT_SMALL,
                                        color=theme.DANGER if m.get("exceeded") else theme.TEXT))
            if ins.get("note"):
                finding.add_widget(Text(ins["note"], size=theme.FONT_SMALL))
        media = evidence.finding_media(task)  # the inspection's photos, or those the task was created with
        if ins or media:
            finding.add_widget(self._photos_row(media, _("Finding")))
        elif not task.get("description"):
            finding.add_widget(Text(_("This task was raised by hand; there is no inspection behind it."),
                                    size=theme.FONT_SMALL, color=theme.MUTED))
        box.add_widget(finding)

        sub = task.get("latestSubmission")
        if not sub:
            box.add_widget(Text(_("Evidence checks are not available offline."), size=theme.FONT_SMALL,
                                color=theme.MUTED))
            return
        card = Card()
        card.add_widget(Text(_("Rectification"), bold=True))
        if sub.get("note"):
            card.add_widget(Text(_("Note: {note}").format(note=sub["note"]), size=theme.FONT_SMALL))
        for side, word in (("before", _("Before")), ("after", _("After"))):
            card.add_widget(Text(word, size=theme.FONT_SMALL, color=theme.MUTED))
            card.add_widget(self._photos_row(sub.get(side) or [], word))
        shown = evidence.evidence(task)
        self.failing = []
        self.evidence_shown = []
        if not shown:
            card.add_widget(Text(_("Evidence checks: all passed."), color=theme.OK, size=theme.FONT_SMALL))
        for ev in shown:
            c = ev.check
            msg = c.get("messageZh") if language().startswith("zh") else c.get("messageEn")
            where = f"{self._photo_name(ev.photo)} · " if ev.photo else ""
            text = f"{where}{msg or c.get('message')}"
            if c.get("severity") == "FAIL":
                self.failing.append(text)
            card.add_widget(Text(f"[b]{labels.label(labels.SEVERITY, c.get('severity'))}[/b] {text}",
                                 color=_severity_colour(c.get("severity")), size=theme.FONT_SMALL))
            record = {"code": c.get("code"), "side_by_side": [], "map": None}
            if ev.side_by_side:
                card.add_widget(self._side_by_side(ev, record))
            if len(ev.positions) >= 2:
                card.add_widget(self._distance_map(ev, task, record))
            self.evidence_shown.append(record)
        box.add_widget(card)
        if not fresh:
            box.add_widget(Text(_("Offline: shown as last fetched."), size=theme.FONT_SMALL, color=theme.ACCENT))

    def _photo_name(self, p) -> str:
        if p.role == "stored":
            return _("Stored photo #{id}").format(id=p.media_id)
        word = {"before": _("Before"), "after": _("After"), "finding": _("Finding")}[p.role]
        return f"{word} {p.number}"

    def _side_by_side(self, ev, record):
        """The photos the check compares, this one first, each named under its thumbnail; for a reuse,
        what was done to the stored photo to make the copy."""
        box = Column()
        row = Row(height=ThumbButton.size_for() + dp(30))
        for p in ev.side_by_side:
            name = self._photo_name(p)
            cell = Column(size_hint_x=None, width=ThumbButton.size_for() + dp(8))
            if p.path:
                cell.add_widget(ThumbButton(p.path, on_press=lambda p=p, w=name: show_photo(p.path, title=w)))
            else:
                cell.add_widget(Text(_("no picture"), size=theme.FONT_SMALL, color=theme.MUTED,
                                     min_height=ThumbButton.size_for()))
            cell.add_widget(Text(name, size=theme.FONT_SMALL, color=theme.MUTED))
            row.add_widget(cell)
            record["side_by_side"].append({"id": p.media_id, "role": p.role, "path": p.path, "name": name})
        box.add_widget(row)
        if ev.check.get("code") == "REUSED_PHOTO":
            edits = ev.edits(language().startswith("zh"))
            done = ("，" if language().startswith("zh") else ", ").join(edits) or _("re-encoded, re-lit or written on")
            box.add_widget(Text(_("What was done to the stored photo: {edits}").format(edits=done),
                                size=theme.FONT_SMALL))
            record["edits"] = done
        return box

    def _distance_map(self, ev, task, record):
        """Where the photo was taken and the site, on a map, with the distance between them."""
        box = Column()
        district = (task.get("district") or {}).get("name")
        m = EvidenceMap(ev.positions, cache=self.services.tile_cache() if self.app else None,
                        rivers=mapping.district_rivers(district) or mapping.district_rivers(None),
                        size_hint_y=None, height=dp(200))
        box.add_widget(m)
        apart = _(", {d} apart").format(d=distance(ev.distance_m)) if ev.distance_m is not None else ""
        legend = _("[color=#{photo}]●[/color] where the photo was taken   [color=#{site}]●[/color] the site{apart}")
        box.add_widget(Text(legend.format(photo=_hex(PHOTO_COLOUR), site=_hex(theme.DANGER), apart=apart),
                            size=theme.FONT_SMALL))
        record["map"] = {"positions": ev.positions, "distance_m": ev.distance_m, "widget": m}
        return box

    # Decisions --------------------------------------------------------------------------------
    def ask_approve(self):
        if self.failing:
            text = _("{n} checks failed:").format(n=len(self.failing)) + "\n" + "\n".join(
                f"• {f}" for f in self.failing) + "\n" + _("Approve anyway?")
        else:
            text = _("Approve this rectification and close the task?")
        self.confirm_popup = confirm(_("Approve?"), text, _("Approve"), lambda: self.decide("APPROVE"),
                                     yes_kind="ok")

    def reject(self):
        if not self.reason.text.strip():
            self.say(_("Write the reason first: the district needs to know what to fix."))
            return
        self.decide("REJECT")

    def decide(self, decision):
        sub = self.submission
        if not sub.get("id"):
            self.say(_("This task has no submission to review."))
            return
        try:
            actions.review_submission(self.services.store, submission_id=sub["id"], task_id=self.task["id"],
                                      decision=decision, reason=self.reason.text.strip() or None)
        except Exception as e:  # noqa: BLE001 - e.g. reject without a reason
            self.say(error_text(e))
            return
        self.record_saved()
        self.app.sync_now()
        self.app.back()
        self.app.page(self.app.sm.current).say(_("Approved.") if decision == "APPROVE" else _("Rejected."), ok=True)
