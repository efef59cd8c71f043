"""The map: my position and accuracy, the district's outfalls coloured by phase and open task (tap one
to open it), the patrol track as it is walked; tiles from the configured XYZ source when cached,
else the rivers on a plain background."""
from __future__ import annotations


from mobile.app import theme
from mobile.app.i18n import _
from mobile.app.mapwidget import MapWidget, with_controls
from mobile.app.screens.base import Page
from mobile.app.widgets import Text
from mobile.core import mapping


def map_data(services) -> dict:
    """What every map shows, from the phone's store (works offline)."""
    store = services.store
    user = services.user or {}
    district = user.get("district") or {}
    open_outfalls = {str((t.get("outfall") or {}).get("id")) for t in store.tasks()
                     if t.get("status") in ("OPEN", "IN_PROGRESS", "SUBMITTED", "REJECTED") and t.get("outfall")}
    return {"outfalls": store.outfalls(district.get("code")), "open_task_outfalls": open_outfalls,
            "rivers": mapping.district_rivers(district.get("name")) or mapping.district_rivers(None)}


class MapPage(Page):
    name_ = "map"

    def page_title(self):
        return _("Map")

    def build(self):
        self._root.remove_widget(self.scroll)  # the map takes the page; it pans itself
        self.map = MapWidget(cache=self.services.tile_cache() if self.app else None,
                             on_tap_outfall=lambda o: self.app.go("outfall", outfall=o))
        area = with_controls(self.map, self.centre_on_me)
        self.status = Text("", size=theme.FONT_SMALL, color=theme.TEXT, size_hint=(0.72, None),
                           pos_hint={"x": 0.02, "y": 0.01})
        area.add_widget(self.status)
        self._root.add_widget(area, index=0)

    def refresh(self):
        s = self.services
        fix = s.fix()
        patrol = s.patrol
        track = [(p.lat, p.lon) for p in patrol.points] if patrol is not None and patrol.running else []
        self.map.set_data(**map_data(s), fix=fix, track=track,
                          centre=(fix.lat, fix.lon) if fix else None)
        self.show_status()

    def show_status(self):
        m = self.map
        src = m.cache.source if m.cache else None
        if src is None:
            where = _("No tiles configured: rivers and outfalls on a plain background.")
        elif m.tiles_drawn == 0:
            where = _("No cached tiles here ({datum}): rivers and outfalls on a plain background.").format(
                datum=src.datum)
        else:
            where = _("Tiles: {name} ({datum})").format(name=src.name or src.url.split("/")[2], datum=src.datum)
        self.status.text = where

    def centre_on_me(self):
        fix = self.services.fix()
        if fix is None:
            self.say(_("Waiting for a GPS fix…"))
            return
        self.map.set_data(centre=(fix.lat, fix.lon))

    def on_fix(self, fix):
        patrol = self.services.patrol
        track = [(p.lat, p.lon) for p in patrol.points] if patrol is not None and patrol.running else []
        self.map.set_data(fix=fix, track=track)
        self.show_status()
