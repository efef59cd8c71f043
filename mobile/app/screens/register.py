"""Register an outfall at the current GPS fix: name, HJ 1312 category and subtype, river, signboard photo."""
from __future__ import annotations

from mobile.app import labels, theme
from mobile.app.formatting import error_text, place
from mobile.app.i18n import _, language
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Field, PhotoSlot, Picker, Text, Toggle
from mobile.core import actions

class RegisterPage(Page):
    name_ = "register"

    def page_title(self):
        return _("Register outfall")

    def build(self):
        b = self.body
        self.where = Text("", color=theme.MUTED)
        b.add_widget(self.where)
        card = Card()
        card.add_widget(Text(_("Name"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.name_field = Field(hint=_("e.g. Caiyuanba storm drain No. 3"))
        card.add_widget(self.name_field)
        card.add_widget(Text(_("Category (HJ 1312-2023)"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.category = Picker(labels.choices(labels.CATEGORIES), _("Choose a category"),
                               on_change=self._category_changed)
        card.add_widget(self.category)
        self.subtype = Picker([], _("Subtype (optional)"))
        card.add_widget(self.subtype)
        card.add_widget(Text(_("Receiving river"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.river = Picker([], _("Choose a river"))
        card.add_widget(self.river)
        self.water_class = Picker([(c, _("Class {c} water").format(c=c)) for c in labels.WATER_CLASSES],
                                  _("Water class (optional)"))
        card.add_widget(self.water_class)
        self.district = Picker([], _("Choose a district"))
        card.add_widget(self.district)
        card.add_widget(Text(_("Responsible unit"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.unit = Field(hint=_("optional"))
        card.add_widget(self.unit)
        self.signboard = Toggle(_("Signboard installed"), _("No signboard"), kind="secondary")
        card.add_widget(self.signboard)
        b.add_widget(card)
        self.photo = PhotoSlot(_("Signboard / outfall photo"), on_pick=lambda: self.take_photo(self.photo))
        b.add_widget(self.photo)
        self.submit_button = Btn(_("Save and queue for upload"), on_press=self.submit)
        b.add_widget(self.submit_button)

    def refresh(self):
        store, user = self.services.store, self.services.user or {}
        zh = language().startswith("zh")
        self.river.set_choices([(r["code"], r["name"] if zh else r.get("nameEn") or r["name"])
                                for r in store.rivers()])
        home = (user.get("district") or {}).get("code")
        self.district.set_choices([(d["code"], place(d)) for d in store.districts()])
        if home and home in self.district._by_value:
            self.district.select(home)
        self.district.disabled = bool(home)  # district staff register in their own district only
        fix = self.services.fix()
        self.where.text = (_("Position: {lat:.5f}, {lon:.5f} ±{acc:.0f} m").format(
            lat=fix.lat, lon=fix.lon, acc=fix.accuracy_m or 0) if fix else _("Waiting for a GPS fix…"))

    def _category_changed(self, value):
        zh = language().startswith("zh")
        rows = labels.subtypes().get(value or "", [])
        self.subtype.set_choices([(r["id"], "  " * (r["depth"] - 1) + (r["name_zh"] if zh else r["name_en"]))
                                  for r in rows])

    def submit(self):
        fix = self.services.fix()
        missing = [w for w, ok in ((_("name"), self.name_field.text.strip()), (_("category"), self.category.value),
                                   (_("river"), self.river.value), (_("district"), self.district.value),
                                   (_("GPS fix"), fix)) if not ok]
        if missing:
            self.say(_("Still needed: {what}").format(what=", ".join(missing)))
            return
        photos = [(self.photo.path, "SIGNBOARD")] if self.photo.path else []
        try:
            item = actions.register_outfall(
                self.services.store, name=self.name_field.text.strip(), category=self.category.value,
                river_code=self.river.value, district_code=self.district.value, location=fix,
                subtype=self.subtype.value, water_class=self.water_class.value,
                responsible_unit=self.unit.text.strip() or None, signboard_installed=self.signboard.active,
                photos=photos)
        except Exception as e:  # noqa: BLE001 - StoreError: unreadable photo etc.
            self.say(error_text(e))
            return
        self.app.sync_now()
        outfall = self.services.store.outfall(item.client_id)
        self.rebuild()  # a clean form for the next one
        self.app.back()
        self.app.go("outfall", outfall=outfall)
