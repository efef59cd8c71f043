"""One outfall: its facts, where it stands in 查测溯治, recent inspections and open tasks."""
from __future__ import annotations

from kivy.metrics import dp

from mobile.app import background, labels, theme
from mobile.app.formatting import countdown, error_text, local_time, place, times_over
from mobile.app.i18n import _
from mobile.app.lookups import outfall_history, queued_inspections
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Chip, Column, KeyValues, Row, Text, confirm
from mobile.core import actions


class OutfallPage(Page):
    name_ = "outfall"

    def page_title(self):
        return _("Outfall")

    def build(self):
        b = self.body
        self.heading = Text("", size=theme.FONT_TITLE, bold=True)
        b.add_widget(self.heading)
        self.phase_row = Row(height=dp(40), spacing=dp(4))
        b.add_widget(self.phase_row)
        self.facts = Column()
        b.add_widget(self.facts)
        # 查 of a suspect (verify it, or find it is not an outfall) and 溯, where the user's role allows.
        self.life = Column()
        b.add_widget(self.life)
        b.add_widget(Btn(_("Inspect this outfall"), on_press=self.inspect))
        b.add_widget(Text(_("Recent inspections"), bold=True, size=theme.FONT_TITLE))
        self.inspections = Column()
        b.add_widget(self.inspections)
        b.add_widget(Text(_("Open tasks"), bold=True, size=theme.FONT_TITLE))
        self.tasks = Column()
        b.add_widget(self.tasks)

    @property
    def outfall(self) -> dict:
        return self.params.get("outfall") or {}

    def refresh(self):
        o = self.outfall
        self.heading.text = f"{o.get('name') or ''}  [size=16sp][color={theme.hex_colour(theme.MUTED)}]" \
                            f"{o.get('code') or ''}[/color][/size]"
        self._show_phase(o.get("phase") or ("SURVEYED" if o.get("local") else None))
        loc = o.get("location") or {}
        river = o.get("river") or {}
        store = self.services.store
        if river.get("code") and not river.get("name"):  # registered offline: name it from the cache
            river = next((r for r in store.rivers() if r["code"] == river["code"]), river)
        district = o.get("district") or {}
        if district.get("code") and not district.get("name"):
            district = next((d for d in store.districts() if d["code"] == district["code"]), district)
        card = Card()
        card.add_widget(KeyValues([
            (_("Verification"), self._verification_text(o)),
            (_("Category"), labels.label(labels.CATEGORIES, o.get("category"))),
            (_("Subtype"), labels.subtype_name(o.get("subtype"))),
            (_("River"), place(river) if river.get("name") else river.get("code")),
            (_("District"), place(district)),
            (_("Water class"), o.get("waterClass")),
            (_("Status"), _("Closed") if o.get("status") == "CLOSED" else _("Active")),
            (_("Responsible unit"), o.get("responsibleUnit")),
            (_("Signboard"), _("installed") if o.get("signboardInstalled") else _("not installed")),
            (_("Location"), f"{loc.get('lat', 0):.5f}, {loc.get('lon', 0):.5f}" if loc else None),
        ]))
        self.facts.clear_widgets()
        self.facts.add_widget(card)
        self._show_life(o)
        self._show_queued()
        self._show_tasks([t for t in self.services.store.tasks() if (t.get("outfall") or {}).get("id") == o.get("id")])
        if o.get("id"):
            background.run(outfall_history, self.services.client, self.services.store, str(o["id"]),
                           on_done=self._show_history)
        else:
            self.say(_("Registered on this phone; details follow once it is synced."), ok=True)

    def _show_phase(self, phase):
        self.phase_row.clear_widgets()
        reached = labels.PHASE_ORDER.index(phase) if phase in labels.PHASE_ORDER else -1
        for i, key in enumerate(labels.PHASE_ORDER):
            # Status tags, not buttons: they show where the outfall stands and do nothing when touched.
            self.phase_row.add_widget(Chip(_(labels.PHASE_SHORT[key]), on=i <= reached))
        self.phase_row.add_widget(Text(labels.label(labels.PHASES, phase), size=theme.FONT_SMALL,
                                       color=theme.MUTED, size_hint_x=1.6, fill_height=True))

    def _show_queued(self):
        self.inspections.clear_widgets()
        for p in queued_inspections(self.services.store, self.outfall):
            self.inspections.add_widget(self._inspection_card(
                local_time(p.get("observedAt")), p.get("flowing"), p.get("note"),
                [(m["parameter"], m["value"], None) for m in p.get("measurements", [])], waiting=True))

    def _show_history(self, result):
        data, fresh = result
        self._show_queued()
        if not data["inspections"] and not self.inspections.children:
            self.inspections.add_widget(Text(_("No inspections yet."), color=theme.MUTED))
        for i in data["inspections"]:
            self.inspections.add_widget(self._inspection_card(
                local_time(i.get("observedAt")), i.get("flowing"), i.get("note"),
                [(m["parameter"], m["value"], m) for m in i.get("measurements", [])],
                who=(i.get("inspector") or {}).get("displayName")))
        if data["tasks"]:
            self._show_tasks(data["tasks"])
        if not fresh:
            self.say(_("Offline: showing what was last downloaded."))

    def _inspection_card(self, when, flowing, note, readings, waiting=False, who=None):
        card = Card()
        head = when + (f" · {who}" if who else "")
        if waiting:
            head += " · " + _("waiting to send")
        card.add_widget(Text(head, bold=True, size=theme.FONT_SMALL))
        if flowing is not None:
            card.add_widget(Text(_("Flowing") if flowing else _("Not flowing"), size=theme.FONT_SMALL))
        if note:
            card.add_widget(Text(note, size=theme.FONT_SMALL))
        for param, value, m in readings:
            unit = (m or {}).get("unit") or ""
            line = f"{labels.parameter_name(param)} {value:g} {unit}".strip()
            if m and m.get("exceeded"):
                line += "  " + _("EXCEEDS {standard}").format(standard=m.get("standard") or "") + times_over(
                    m.get("exceedanceMultiple"))
                card.add_widget(Text(line, color=theme.DANGER, size=theme.FONT_SMALL))
            else:
                card.add_widget(Text(line, size=theme.FONT_SMALL))
        return card

    def _show_tasks(self, tasks):
        self.tasks.clear_widgets()
        if not tasks:
            self.tasks.add_widget(Text(_("No open tasks."), color=theme.MUTED))
        for t in tasks:
            left, overdue = countdown(t.get("deadline"))
            card = Card()
            card.add_widget(Text(labels.readable_title(t.get('title')), bold=True))
            card.add_widget(Text(f"{t.get('code')} · {labels.label(labels.TASK_STATUS, t.get('status'))} · {left}",
                                 color=theme.DANGER if overdue else theme.MUTED, size=theme.FONT_SMALL))
            self.tasks.add_widget(card)

    def inspect(self):
        self.app.go("inspection", outfall=self.outfall)

    # 查 (suspected -> verified / not an outfall) and 溯 ----------------------------------------------
    def _queued_verdict(self, o: dict) -> str | None:
        """A verdict on this outfall waiting in the outbox (not yet confirmed by the server)."""
        ref = str(o.get("id") or "") or {"$outfall": o.get("clientId")}
        for it in self.services.store.pending_items():
            if it.kind == "verifyOutfall" and it.payload.get("id") == ref:
                return it.payload.get("outcome")
        return None

    def _verification_text(self, o: dict) -> str | None:
        queued = self._queued_verdict(o)
        if queued:
            return labels.label(labels.VERIFICATION, queued) + " · " + _("waiting to send")
        v = o.get("verification")
        return labels.label(labels.VERIFICATION, v) if v else None

    def _show_life(self, o: dict):
        self.life.clear_widgets()
        user = self.services.user
        if self._queued_verdict(o) is None and actions.may_verify(user, o):
            self.life.add_widget(Text(_("Suspected outfall: is it one? Verify it here, on site."),
                                      color=theme.DANGER, size=theme.FONT_SMALL))
            row = Row(height=theme.BUTTON_H, spacing=dp(8))
            row.add_widget(Btn(_("Verified: it is an outfall"), kind="ok", on_press=lambda: self.ask_verify("VERIFIED")))
            row.add_widget(Btn(_("Not an outfall"), kind="danger", on_press=lambda: self.ask_verify("NOT_OUTFALL")))
            self.life.add_widget(row)
        if actions.may_trace(user, o) and self._queued_verdict(o) != "NOT_OUTFALL":
            self.life.add_widget(Btn(_("Tracing record (responsible party)"), kind="secondary",
                                     on_press=lambda: self.app.go("tracing", outfall=self.outfall)))

    def ask_verify(self, outcome: str):
        o = self.outfall
        if outcome == "VERIFIED":
            title, text = _("Verified on site?"), _("{name} is an outfall: it joins the register as verified.")
        else:
            title, text = _("Not an outfall?"), _("{name} is not an outfall: it takes no tracing or plan.")
        confirm(title, text.format(name=o.get("name") or o.get("code") or ""),
                labels.label(labels.VERIFICATION, outcome), lambda: self.verify(outcome),
                yes_kind="ok" if outcome == "VERIFIED" else "danger")

    def verify(self, outcome: str):
        try:
            actions.verify_outfall(self.services.store, outfall=self.outfall, outcome=outcome)
        except Exception as e:  # noqa: BLE001 - StoreError: say why
            self.say(_(error_text(e)))
            return
        self.app.sync_now()
        self.refresh()
        self.say(_("Verification saved; it will be sent when there is signal."), ok=True)
