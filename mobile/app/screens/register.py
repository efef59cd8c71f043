"""Register an outfall at the current GPS fix: name, HJ 1312 category and subtype, river, signboard photo.

A registration is a new record: the form is keyed by a client id made when it is started (FormPage),
and an unsaved one is offered back the next time the form is opened, until it is saved or discarded.
"""
from __future__ import annotations

import uuid

from kivy.metrics import dp

from mobile.app import labels, theme
from mobile.app.formatting import error_text, place
from mobile.app.i18n import _, language
from mobile.app.mapwidget import MapWidget, with_controls
from mobile.app.screens.form import FormPage
from mobile.app.screens.map import map_data
from mobile.core import mapping
from mobile.app.widgets import Btn, Card, Column, Field, PhotoStrip, Picker, Text, Toggle
from mobile.core import actions


class RegisterPage(FormPage):
    name_ = "register"
    form = "registration"

    def record_key(self):
        if self.params.get("draft"):
            return self.params["draft"]
        pending = self.services.drafts.all("registration")
        return pending[0].record if pending else str(uuid.uuid4())

    def page_title(self):
        return _("Register outfall")

    def build_header(self):
        # The map sits above the scrolling form, not in it: the text under it may grow a line (the
        # pin moved, a warning) and the form may scroll, and neither may move the map under the
        # finger (it used to, by a line or three: the pin landed ~70 px below where it was tapped).
        # Out of the ScrollView a drag pans the map and two fingers pinch, instead of scrolling.
        self.pin = None  # where the outfall is: the fix, or where the inspector moved the pin
        self.pin_fix = None  # (lat, lon, accuracy) of the GPS fix when the pin was placed: sent beside the pin
        self.map = MapWidget(cache=self.services.tile_cache() if self.app else None, pin_on_tap=True,
                             on_pin_moved=self._pin_moved, on_tap_outfall=None, zoom=17)
        head = Column(padding=[theme.PAD, dp(4)], spacing=dp(4))
        head.add_widget(with_controls(self.map, self._centre_on_fix, size_hint_y=None, height=dp(230)))
        self.where = Text("", color=theme.MUTED, size=theme.FONT_SMALL)
        head.add_widget(self.where)
        self.near_warning = Text("", color=theme.DANGER, bold=True, size=theme.FONT_SMALL, min_height=0)
        head.add_widget(self.near_warning)
        return head

    def _centre_on_fix(self):
        fix = self.services.fix()
        if fix is not None:
            self.map.set_data(centre=(fix.lat, fix.lon))

    def build(self):
        b = self.body
        card = Card()
        card.add_widget(Text(_("Name"), size=theme.FONT_SMALL, color=theme.MUTED))
        self.name_field = self.watch(Field(hint=_("e.g. Caiyuanba storm drain No. 3")))
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
        self.unit = self.watch(Field(hint=_("optional")))
        card.add_widget(self.unit)
        self.signboard = self.watch(Toggle(_("Signboard installed"), _("No signboard"), kind="secondary"))
        card.add_widget(self.signboard)
        # 疑似: found by remote sensing, a drone or a report, not yet confirmed here (HJ 1232 level 1).
        self.suspected = self.watch(Toggle(_("Suspected outfall: to be verified on site"),
                                           _("Confirmed on site: it is an outfall"), kind="secondary"))
        card.add_widget(self.suspected)
        b.add_widget(card)
        for picker in (self.category, self.subtype, self.river, self.water_class, self.district):
            self.watch(picker)
        self.photo = PhotoStrip(_("Signboard / outfall photos"), on_add=lambda: self.take_photo_into("SIGNBOARD"),
                                on_change=self.changed, on_open=self.open_photo)
        b.add_widget(self.photo)

    def build_footer(self):
        bar = Column(fill=theme.CARD, padding=[theme.PAD, dp(6)])
        self.submit_button = Btn(_("Save and queue for upload"), on_press=self.submit)
        bar.add_widget(self.submit_button)
        return bar

    def strips(self):
        return {"SIGNBOARD": self.photo}

    def _pin_moved(self, pin):
        self.pin = pin
        self._show_where()
        self.changed()

    def _show_where(self):
        fix = self.services.fix()
        if self.pin is None:
            self.where.text = _("Waiting for a GPS fix…")
            self.near_warning.text = ""
            return
        moved = self.pin_fix is not None and (abs(self.pin[0] - self.pin_fix[0]) > 1e-7 or
                                               abs(self.pin[1] - self.pin_fix[1]) > 1e-7)
        text = _("Outfall at {lat:.5f}, {lon:.5f}").format(lat=self.pin[0], lon=self.pin[1])
        if moved:
            text += " · " + _("moved {m:.0f} m from the GPS fix").format(
                m=mapping.haversine_m(*self.pin, *self.pin_fix[:2]))
        elif fix is not None:
            text += f" ±{fix.accuracy_m or 0:.0f} m"
        self.where.text = text + "\n" + _("Tap the map to move the pin.")
        # 30 m is "a few tens of metres": two registrations of one outfall by GPS alone land closer.
        near = mapping.outfalls_near(self.services.store.outfalls(), *self.pin)
        self.near_warning.text = _("Already registered {m:.0f} m from here: {name}. Check it is not the same outfall."
                                   ).format(m=near[0][1], name=near[0][0].get("name")) if near else ""

    def collect(self):
        return {"pin": list(self.pin) if self.pin else None, "pinFix": list(self.pin_fix) if self.pin_fix else None,
                "name": self.name_field.text, "category": self.category.value, "subtype": self.subtype.value,
                "river": self.river.value, "waterClass": self.water_class.value, "district": self.district.value,
                "unit": self.unit.text, "signboard": self.signboard.active, "suspected": self.suspected.active}

    def apply(self, v):
        if v.get("pin"):
            self.pin, self.pin_fix = tuple(v["pin"]), tuple(v["pinFix"]) if v.get("pinFix") else None
            if self.pin_fix is not None and len(self.pin_fix) == 2:  # a draft from before the accuracy was kept
                self.pin_fix = (*self.pin_fix, None)
            self.map.set_data(pin=self.pin, centre=self.pin)
            self._show_where()
        self.name_field.text = v.get("name") or ""
        for picker, key in ((self.category, "category"), (self.river, "river"), (self.water_class, "waterClass"),
                            (self.district, "district")):
            if v.get(key) in picker._by_value:
                picker.select(v[key])
        if v.get("subtype") in self.subtype._by_value:  # the category's choices are in place by now
            self.subtype.select(v["subtype"])
        self.unit.text = v.get("unit") or ""
        if bool(v.get("signboard")) != self.signboard.active:
            self.signboard.flip()
        if bool(v.get("suspected")) != self.suspected.active:
            self.suspected.flip()

    def refresh(self):
        store, user = self.services.store, self.services.user or {}
        zh = language().startswith("zh")
        home = (user.get("district") or {}).get("code")
        self.district.set_choices([(d["code"], place(d)) for d in store.districts()])
        if home and home in self.district._by_value:
            self.district.select(home)
        self.district.disabled = bool(home)  # district staff register in their own district only
        fix = self.services.fix()
        # Rivers nearest the fix first (the one the inspector stands by), not by pinyin.
        self.river.set_choices([(r["code"], r["name"] if zh else r.get("nameEn") or r["name"])
                                for r in rivers_by_distance(store.rivers(), fix)])
        if fix is not None and self.pin is None:
            self.pin, self.pin_fix = (fix.lat, fix.lon), (fix.lat, fix.lon, fix.accuracy_m)
        self.map.set_data(**map_data(self.services), fix=fix, pin=self.pin, centre=self.pin)
        self._show_where()

    def on_fix(self, fix):
        if self.pin is None and not self._loading:
            self.pin, self.pin_fix = (fix.lat, fix.lon), (fix.lat, fix.lon, fix.accuracy_m)
            self.map.set_data(pin=self.pin, centre=self.pin)
        self.map.set_data(fix=fix)
        self._show_where()

    def _category_changed(self, value):
        zh = language().startswith("zh")
        rows = labels.subtypes().get(value or "", [])
        self.subtype.set_choices([(r["id"], "  " * (r["depth"] - 1) + (r["name_zh"] if zh else r["name_en"]))
                                  for r in rows])

    def has_content(self, values):
        return super().has_content({k: v for k, v in values.items() if k not in ("pin", "pinFix")})

    def submit(self):
        from mobile.core.device import Fix

        # The outfall is where the pin is; the GPS fix it was placed at goes beside it (both are stored).
        fix = Fix(self.pin[0], self.pin[1], self.pin_fix[2]) if self.pin is not None and self.pin_fix else None
        gps_fix = Fix(*self.pin_fix) if self.pin_fix else None
        missing = [w for w, ok in ((_("name"), self.name_field.text.strip()), (_("category"), self.category.value),
                                   (_("river"), self.river.value), (_("district"), self.district.value),
                                   (_("GPS fix"), fix)) if not ok]
        if missing:
            self.say(_("Still needed: {what}").format(what=", ".join(missing)))
            return
        photos = [(p, "SIGNBOARD") for p in self.photo.paths]
        try:
            item = actions.register_outfall(
                self.services.store, name=self.name_field.text.strip(), category=self.category.value,
                river_code=self.river.value, district_code=self.district.value, location=fix,
                subtype=self.subtype.value, water_class=self.water_class.value,
                responsible_unit=self.unit.text.strip() or None, signboard_installed=self.signboard.active,
                photos=photos, gps_fix=gps_fix, suspected=self.suspected.active)
        except Exception as e:  # noqa: BLE001 - StoreError: unreadable photo etc.
            self.say(error_text(e))
            return
        self.record_saved()
        self.app.sync_now()
        outfall = self.services.store.outfall(item.client_id)
        self.app.back()
        self.app.go("outfall", outfall=outfall)


def rivers_by_distance(rivers: list[dict], fix) -> list[dict]:
    """Rivers ordered by how far their reference course passes from the fix; without a fix, by name."""
    if fix is None:
        return list(rivers)
    courses = mapping.river_courses()

    def dist(r):
        pts = courses.get(r["code"]) or []
        return min((mapping.haversine_m(fix.lat, fix.lon, lat, lon) for lat, lon, _d in pts), default=float("inf"))
    return sorted(rivers, key=dist)
