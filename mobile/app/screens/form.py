"""A form that belongs to exactly one record, with its unsaved work kept as a draft in the store.

Why: screens are built once and reused, so a field or photo left in a widget used to carry over to
the next record opened (issue 16, item 1). Here every entry rebuilds the widgets, binds the form
to one record key, and restores that record's own draft only. Changes are saved to the draft a
moment after they happen (so a kill loses at most that moment), a photo goes straight into the
draft of the record that asked for it, and the draft goes only when the user discards it (asked
first) or the record is queued for sending.
"""
from __future__ import annotations

from kivy.clock import Clock

from mobile.app import theme
from mobile.app.formatting import local_time
from mobile.app.i18n import _
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Row, Text, confirm, show_photo

SAVE_DELAY_S = 0.4


class FormPage(Page):
    form = ""  # a mobile.core.drafts.FORMS key
    settings_keys: tuple[str, ...] = ()  # values that are preferences, not work (e.g. the parameter set)

    def __init__(self, **kw):
        self.record = None
        self._loading = True
        self._save_trigger = Clock.create_trigger(lambda _dt: self.save_draft(), SAVE_DELAY_S)
        super().__init__(**kw)

    # What each form defines -------------------------------------------------------------------
    def record_key(self) -> str | None:
        """The record this form is about, from self.params."""
        raise NotImplementedError

    def collect(self) -> dict:
        """The form's values (JSON-able)."""
        raise NotImplementedError

    def apply(self, values: dict) -> None:
        """Put a draft's values back into the (fresh) widgets."""

    def strips(self) -> dict:
        """slot name -> PhotoStrip."""
        return {}

    # The draft cycle --------------------------------------------------------------------------
    @property
    def drafts(self):
        return self.services.drafts

    def on_pre_enter(self, *_a):
        self._loading = True
        self._save_trigger.cancel()
        self.record = self.record_key()
        self.rebuild()  # fresh widgets: nothing of another record can be left in them
        super().on_pre_enter()
        draft = self.drafts.get(self.form, self.record) if self.record else None
        if draft is not None and (self.has_content(draft.values) or any(draft.photos.values())):
            self.apply(draft.values)
            for slot, strip in self.strips().items():
                strip.set_paths(draft.photos.get(slot, []))
            self.after_restore()
            self._show_draft_banner(draft.updated_at)
        self._loading = False

    def has_content(self, values: dict) -> bool:
        return _has_content({k: v for k, v in values.items() if k not in self.settings_keys})

    def after_restore(self):
        """Recompute what depends on the values (e.g. the live verdicts)."""

    def changed(self, *_a):
        """Bind every input to this: the draft is saved a moment later."""
        if self._loading:
            return
        if getattr(self, "message_is_refusal", False):
            # A refusal was about what had been typed; once the user changes it, it no longer stands
            # (a corrected credit code under "check character does not match" read as two verdicts).
            self.say("")
        if self.record:
            self._save_trigger()

    def watch(self, *widgets):
        for w in widgets:
            if hasattr(w, "text"):
                w.bind(text=self.changed)
            if hasattr(w, "active"):
                w.bind(on_release=self.changed)
        return widgets[0] if len(widgets) == 1 else widgets

    def save_draft(self):
        if self._loading or not self.record:
            return
        values = self.collect()
        photos = {slot: list(s.paths) for slot, s in self.strips().items()}
        existing = self.drafts.get(self.form, self.record)
        if existing is None and not any(photos.values()) and not self.has_content(values):
            return  # opening and leaving a form must not leave a draft behind
        self.drafts.save(self.form, self.record, values, photos)

    def on_pre_leave(self, *_a):
        self._save_trigger.cancel()
        try:
            self.save_draft()
        except Exception as e:  # noqa: BLE001 - leaving must work; the message says why the draft failed
            self.app.page(self.app.sm.current).say(str(e))

    def take_photo_into(self, slot: str):
        """Camera -> this record's draft (whatever is on screen when it answers) -> the strip if
        this record is still the one shown."""
        form, record = self.form, self.record
        if not record:
            return

        def done(path):
            if not path:
                return
            def on_ui(_dt):
                try:
                    self.save_draft()  # typed values first, so the photo's save does not drop them
                    d = self.drafts.add_photo(form, record, slot, path)
                except Exception as e:  # noqa: BLE001 - unreadable file: say so, keep the form
                    self.say(str(e))
                    return
                if self.record == record and self.app.sm.current == self.name:
                    self.strips()[slot].set_paths(d.photos.get(slot, []))
            Clock.schedule_once(on_ui, 0)

        try:
            self.services.camera.take(done)
        except Exception as e:  # noqa: BLE001 - no camera permission etc.
            self.say(str(e))

    def open_photo(self, strip, path):
        show_photo(path, on_remove=lambda: strip.remove(path))

    def record_saved(self):
        """The record is in the outbox: its draft has done its job."""
        self._save_trigger.cancel()
        self.drafts.discard(self.form, self.record)
        self._loading = True  # nothing more to save for this record

    def _show_draft_banner(self, updated_at):
        row = Row(height=theme.TARGET_H, fill=theme.NOTICE)
        row.add_widget(Text(_("Unsaved draft from {time} restored.").format(time=local_time(updated_at)),
                            color=theme.TEXT, size=theme.FONT_SMALL, fill_height=True, size_hint_x=0.6))
        row.add_widget(Btn(_("Discard draft"), kind="secondary", height=theme.TARGET_H, size_hint_x=0.4,
                           on_press=self.ask_discard))
        self.body.add_widget(row, index=len(self.body.children))
        self.draft_banner = row

    def ask_discard(self):
        confirm(_("Discard this draft?"), _("Everything typed and photographed here for this record is deleted."),
                _("Discard"), self._discard)

    def _discard(self):
        self.drafts.discard(self.form, self.record)
        self.on_pre_enter()
        self.say(_("Draft discarded."), ok=True)


def _has_content(values: dict) -> bool:
    return any(v not in (None, "", [], {}, False) for v in values.values())


class OutfallFormPage(FormPage):
    """A form about one outfall (an inspection, a tracing record): keyed by its id, or by the
    clientId of an outfall registered offline and not yet synced."""

    @property
    def outfall(self) -> dict:
        return self.params.get("outfall") or {}

    def record_key(self):
        o = self.outfall
        return str(o.get("id") or o.get("clientId") or "") or None
