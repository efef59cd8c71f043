"""A small map of what a distance check measured: where the photo was taken and the site, joined by a
line, framed so both show (mobile/core/evidence.frame). A picture inside the review's scrolling page:
it does not pan, so a finger on it scrolls the page."""
from __future__ import annotations

from kivy.graphics import Color, Ellipse, Line
from kivy.metrics import dp

from mobile.app import theme
from mobile.app.mapwidget import MapWidget
from mobile.core import evidence

PHOTO_COLOUR = (0.10, 0.45, 0.90, 1)  # the phone's own position is drawn in this blue on every map


class EvidenceMap(MapWidget):
    def __init__(self, positions: list[dict], *, cache=None, rivers=None, **kw):
        super().__init__(cache=cache, **kw)
        self.positions = [p for p in positions if p.get("lat") is not None and p.get("lon") is not None]
        self.marks_drawn: list[tuple[str, float, float]] = []  # (label, x, y) in widget coordinates
        if rivers:
            self.rivers = rivers
        self.bind(size=lambda *_a: self._fit())

    def _fit(self):
        if not self.positions or self.width < 10 or self.height < 10:
            return
        lo, hi = (self.cache.source.min_zoom, self.cache.source.max_zoom) if self.cache else (8, 18)
        self.centre, self.zoom = evidence.frame([(p["lat"], p["lon"]) for p in self.positions], self.width,
                                                self.height, padding=dp(28), zooms=(lo, hi))
        self._redraw()

    def draw(self):
        super().draw()
        self.marks_drawn = []
        pts = [(p["label"], *self.screen_of(p["lat"], p["lon"])) for p in self.positions]
        with self.canvas:
            if len(pts) >= 2:
                Color(*theme.TEXT[:3], 0.8)
                Line(points=[c for _label, x, y in pts for c in (x, y)], width=dp(2))
            for label, x, y in pts:
                colour = PHOTO_COLOUR if label == "photo" else theme.DANGER
                r = dp(9)
                Color(1, 1, 1, 1)
                Ellipse(pos=(x - r - dp(2), y - r - dp(2)), size=(2 * r + dp(4), 2 * r + dp(4)))
                Color(*colour)
                Ellipse(pos=(x - r, y - r), size=(2 * r, 2 * r))
                self.marks_drawn.append((label, x - self.x, y - self.y))

    # A picture, not a control: touches go to the page around it (it scrolls).
    def on_touch_down(self, touch):
        return False

    def on_touch_move(self, touch):
        return False

    def on_touch_up(self, touch):
        return False
