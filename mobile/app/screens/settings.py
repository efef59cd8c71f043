"""Settings: the map's XYZ tiles (url and datum), downloading them along the district's rivers for
offline use, and the high-contrast sunlight theme."""
from __future__ import annotations

import json

from mobile.app import background, theme
from mobile.app.i18n import _
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Field, Text, Toggle
from mobile.core import mapping

PREFETCH_ZOOMS = range(12, 18)
PREFETCH_BUFFER_M = 400


class SettingsPage(Page):
    name_ = "settings"

    def page_title(self):
        return _("Settings")

    def build(self):
        b = self.body
        card = Card()
        card.add_widget(Text(_("Map tiles (XYZ)"), bold=True))
        card.add_widget(Text(_("URL with {z} {x} {y}, e.g. a Tianditu or bureau tile server"),
                             size=theme.FONT_SMALL, color=theme.MUTED))
        self.url = Field(hint="https://…/{z}/{x}/{y}.png")
        card.add_widget(self.url)
        self.gcj = Toggle(_("Tiles in GCJ-02 (most Chinese commercial maps)"),
                          _("Tiles in WGS-84 (Tianditu, OSM)"), kind="secondary")
        card.add_widget(self.gcj)
        card.add_widget(Btn(_("Save tile settings"), on_press=self.save_tiles))
        card.add_widget(Btn(_("Download tiles along my rivers"), kind="secondary", on_press=self.prefetch))
        self.cache_text = Text("", size=theme.FONT_SMALL, color=theme.MUTED)
        card.add_widget(self.cache_text)
        b.add_widget(card)
        look = Card()
        look.add_widget(Text(_("Display"), bold=True))
        look.add_widget(Btn(_("Sunlight (high contrast)") if theme.current == "normal" else _("Normal colours"),
                            kind="secondary", on_press=self.flip_theme))
        b.add_widget(look)

    def refresh(self):
        src = self.services.tile_source()
        self.url.text = src.url if src else ""
        if (src is not None and src.datum == "GCJ02") != self.gcj.active:
            self.gcj.flip()
        cache = self.services.tile_cache()
        self.cache_text.text = (_("{n} tiles cached on this phone.").format(n=cache.count()) if cache
                                else _("No tiles configured: the map draws rivers and outfalls on a plain background."))

    def save_tiles(self):
        url = self.url.text.strip()
        if not url:
            self.services.store.set_meta(tiles=None)
            self.refresh()
            self.say(_("Tiles switched off."), ok=True)
            return
        try:
            src = mapping.TileSource(url=url, datum="GCJ02" if self.gcj.active else "WGS84")
        except ValueError as e:
            self.say(str(e))
            return
        self.services.store.set_meta(tiles=json.dumps(src.as_config()))
        self.refresh()
        self.say(_("Tile settings saved."), ok=True)

    def prefetch(self):
        cache = self.services.tile_cache()
        if cache is None:
            self.say(_("Save a tile URL first."))
            return
        district = (self.services.user or {}).get("district") or {}
        tiles = mapping.tiles_along(mapping.district_rivers(district.get("name")), PREFETCH_ZOOMS,
                                    PREFETCH_BUFFER_M, cache.source.datum)
        self.say(_("Downloading {n} tiles…").format(n=len(tiles)), ok=True)
        background.run(cache.prefetch, tiles, self.services.fetch_bytes,
                       on_done=lambda c: (self.refresh(), self.say(_(
                           "Tiles: {fetched} downloaded, {cached} already here, {failed} failed.").format(**c),
                           ok=not c["failed"])))

    def flip_theme(self):
        self.app.set_theme("sunlight" if theme.current == "normal" else "normal")
