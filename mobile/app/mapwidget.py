"""The map widget: cached XYZ tiles (or a plain background with the rivers), outfalls coloured by
phase and open task, the user's position with its accuracy circle, the patrol track, and a
registration pin that can be dragged.

Why our own and not kivy_garden.mapview (PyPI "mapview"): its last release is 1.0.6 of April 2022,
it downloads tiles itself on its own threads with no datum handling, so GCJ-02 tiles would need every
marker moved by hand anyway, and it cannot draw a map with no tiles at all. The arithmetic (datums,
projection, the cache) is in mobile/core/mapping.py and tested there without a screen; this widget
only draws what mapping.View says and turns touches into WGS-84 points.
"""
from __future__ import annotations

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.graphics import Color, Ellipse, Line, Rectangle, StencilPop, StencilPush, StencilUnUse, StencilUse
from kivy.metrics import dp
from kivy.uix.widget import Widget

from mobile.app import theme
from mobile.core import mapping

TAP_RADIUS = dp(28)  # a marker within this of a tap is the one meant (gloves)
MARKER = dp(22)
ZOOMS = (8, 19)  # without tiles: a district down to a few metres


class MapWidget(Widget):
    def __init__(self, *, cache=None, on_tap_outfall=None, on_pin_moved=None, zoom=16, pin_on_tap=False, **kw):
        super().__init__(**kw)
        self.cache = cache  # mapping.TileCache or None (no tiles configured)
        self.datum = cache.source.datum if cache else "WGS84"
        self.centre = (29.5630, 106.5516)  # 渝中区 until a fix arrives
        self.zoom = zoom
        self.outfalls: list[dict] = []
        self.open_task_outfalls: set[str] = set()
        self.rivers: list[list[tuple[float, float]]] = []
        self.fix = None
        self.track: list[tuple[float, float]] = []
        self.pin = None  # (lat, lon) of the registration pin, or None
        self.on_tap_outfall, self.on_pin_moved = on_tap_outfall, on_pin_moved
        self.pin_on_tap = pin_on_tap  # registration: a tap puts the pin there (easier with gloves than a drag)
        self._textures: dict = {}
        self._drag = None  # (kind "pan" | "pin", x0, y0, centre at the start, moved?)
        self._touches: dict = {}  # uid -> position of each finger on the map
        self._pinch = None  # (view at the start, the two start positions, their uids)
        self.tiles_drawn = 0
        self.markers_drawn: list[tuple[dict, float, float]] = []
        self._redraw = Clock.create_trigger(lambda _dt: self.draw(), 0)
        self.bind(pos=self._redraw, size=self._redraw)

    # Data -------------------------------------------------------------------------------------
    def set_data(self, *, outfalls=None, open_task_outfalls=None, rivers=None, fix=None, track=None, pin=None,
                 centre=None):
        if outfalls is not None:
            self.outfalls = outfalls
        if open_task_outfalls is not None:
            self.open_task_outfalls = open_task_outfalls
        if rivers is not None:
            self.rivers = rivers
        if fix is not None:
            self.fix = fix
        if track is not None:
            self.track = track
        if pin is not None:
            self.pin = pin
        if centre is not None:
            self.centre = centre
        self._redraw()

    def view(self) -> mapping.View:
        return mapping.View(self.centre[0], self.centre[1], self.zoom, self.width, self.height, self.datum)

    def screen_of(self, lat, lon):
        x, y = self.view().to_screen(lat, lon)
        return self.x + x, self.y + y

    def zoom_by(self, step):
        lo, hi = (self.cache.source.min_zoom, self.cache.source.max_zoom) if self.cache else ZOOMS
        self.zoom = max(lo, min(hi, round(self.zoom) + step))
        self._redraw()

    # Drawing ----------------------------------------------------------------------------------
    def _texture(self, path):
        key = str(path)
        if key not in self._textures:
            try:
                self._textures[key] = CoreImage(key).texture
            except Exception:  # noqa: BLE001 - a broken cached tile: draw the plain background there
                self._textures[key] = None
        return self._textures[key]

    def draw(self):
        self.canvas.clear()
        v = self.view()
        self.tiles_drawn = 0
        self.markers_drawn = []
        with self.canvas:
            StencilPush()
            Rectangle(pos=self.pos, size=self.size)
            StencilUse()
            Color(*theme.MAP_LAND)
            Rectangle(pos=self.pos, size=self.size)
            if self.cache is not None:
                scale = 2 ** (self.zoom - round(self.zoom))
                for z, tx, ty, sx, sy in v.tiles():
                    path = self.cache.get(z, tx, ty)
                    tex = self._texture(path) if path else None
                    if tex is None:
                        continue
                    Color(1, 1, 1, 1)
                    Rectangle(texture=tex, pos=(self.x + sx, self.y + sy), size=(256 * scale, 256 * scale))
                    self.tiles_drawn += 1
            # Rivers: always drawn, so the map reads without tiles (and over tiles they mark the course).
            Color(*theme.MAP_WATER[:3], 1 if self.tiles_drawn == 0 else 0.6)
            for line in self.rivers:
                pts = [c for lat, lon in line for c in self.screen_of(lat, lon)]
                if len(pts) >= 4:
                    Line(points=pts, width=dp(5) if self.tiles_drawn == 0 else dp(2))
            if len(self.track) >= 2:
                Color(*theme.PATROL)
                Line(points=[c for lat, lon in self.track for c in self.screen_of(lat, lon)], width=dp(3))
            for o in self.outfalls:
                loc = o.get("location") or {}
                if loc.get("lat") is None:
                    continue
                x, y = self.screen_of(loc["lat"], loc["lon"])
                if not (self.x - MARKER <= x <= self.right + MARKER and self.y - MARKER <= y <= self.top + MARKER):
                    continue
                Color(1, 1, 1, 1)
                Ellipse(pos=(x - MARKER / 2 - dp(2), y - MARKER / 2 - dp(2)), size=(MARKER + dp(4), MARKER + dp(4)))
                Color(*mapping.marker_colour(o, self.open_task_outfalls))
                Ellipse(pos=(x - MARKER / 2, y - MARKER / 2), size=(MARKER, MARKER))
                self.markers_drawn.append((o, x, y))
            if self.fix is not None:
                x, y = self.screen_of(self.fix.lat, self.fix.lon)
                r = (self.fix.accuracy_m or 0) / mapping.metres_per_pixel(self.fix.lat, self.zoom)
                if r > dp(8):
                    Color(0.10, 0.45, 0.90, 0.18)
                    Ellipse(pos=(x - r, y - r), size=(2 * r, 2 * r))
                    Color(0.10, 0.45, 0.90, 0.7)
                    Line(circle=(x, y, r), width=dp(1))
                Color(1, 1, 1, 1)
                Ellipse(pos=(x - dp(10), y - dp(10)), size=(dp(20), dp(20)))
                Color(0.10, 0.45, 0.90, 1)
                Ellipse(pos=(x - dp(7), y - dp(7)), size=(dp(14), dp(14)))
            if self.pin is not None:
                x, y = self.screen_of(*self.pin)
                Color(*theme.DANGER)
                Line(points=[x, y, x, y + dp(34)], width=dp(3))
                Ellipse(pos=(x - dp(12), y + dp(26)), size=(dp(24), dp(24)))
            StencilUnUse()
            Rectangle(pos=self.pos, size=self.size)
            StencilPop()

    # Touch ------------------------------------------------------------------------------------
    # One finger pans (or drags the registration pin); a tap opens a marker or places the pin; two
    # fingers pinch to zoom around their midpoint (mapping.pinch); a mouse wheel zooms on a desktop.
    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        if getattr(touch, "is_mouse_scrolling", False):
            self.zoom_by(1 if touch.button == "scrolldown" else -1)
            return True
        touch.grab(self)
        self._touches[touch.uid] = touch.pos
        if len(self._touches) == 2:
            self._start_pinch()
            return True
        if len(self._touches) > 2:
            return True
        if self.pin is not None:
            px, py = self.screen_of(*self.pin)
            if abs(touch.x - px) < TAP_RADIUS * 1.5 and -TAP_RADIUS < touch.y - py < dp(60):
                self._drag = ("pin", touch.x, touch.y, self.centre, False)
                return True
        self._drag = ("pan", touch.x, touch.y, self.centre, False)
        return True

    def _start_pinch(self):
        a, b = list(self._touches.values())[:2]
        self._pinch = (self.view(), (a, b), tuple(self._touches)[:2])
        self._drag = None  # a pinch is never also a tap or a pan

    def on_touch_move(self, touch):
        if touch.grab_current is not self:
            return False
        self._touches[touch.uid] = touch.pos
        if self._pinch is not None:
            view, start, uids = self._pinch
            if all(u in self._touches for u in uids):
                lo, hi = (self.cache.source.min_zoom, self.cache.source.max_zoom) if self.cache else ZOOMS
                self.centre, self.zoom = mapping.pinch(view, start, (self._touches[uids[0]], self._touches[uids[1]]),
                                                       min_zoom=lo, max_zoom=hi)
                self._redraw()
            return True
        if self._drag is None:
            return True
        kind, x0, y0, centre, moved = self._drag
        if not moved and abs(touch.x - x0) + abs(touch.y - y0) <= dp(6):
            return True
        self._drag = (kind, x0, y0, centre, True)
        if kind == "pin":
            self.pin = self.view().to_wgs84(touch.x - self.x, touch.y - self.y)
        else:
            v = mapping.View(centre[0], centre[1], self.zoom, self.width, self.height, self.datum)
            self.centre = v.to_wgs84(self.width / 2 - (touch.x - x0), self.height / 2 - (touch.y - y0))
        self._redraw()
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        self._touches.pop(touch.uid, None)
        if self._pinch is not None:
            if len(self._touches) < 2:
                self._pinch = None
                self._drag = None  # the finger left on the glass does not tap when it lifts
            return True
        drag, self._drag = self._drag, None
        if drag is None:
            return True
        kind, moved = drag[0], drag[4]
        if kind == "pin" and moved:
            if self.on_pin_moved:
                self.on_pin_moved(self.pin)
        elif not moved:
            self.tap(touch.x, touch.y)
        return True

    def tap(self, x, y):
        """The outfall marker nearest a tap (within TAP_RADIUS) is opened; with pin_on_tap the pin moves there."""
        if self.pin_on_tap and self.pin is not None:
            self.pin = self.view().to_wgs84(x - self.x, y - self.y)
            self._redraw()
            if self.on_pin_moved:
                self.on_pin_moved(self.pin)
            return None
        best = None
        for o, mx, my in self.markers_drawn:
            d = ((mx - x) ** 2 + (my - y) ** 2) ** 0.5
            if d <= TAP_RADIUS and (best is None or d < best[1]):
                best = (o, d)
        if best and self.on_tap_outfall:
            self.on_tap_outfall(best[0])
        return best[0] if best else None


def with_controls(map_widget: MapWidget, on_centre, **kw):
    """The map with its own +, − and ◎ buttons over its top right corner: a gloved hand cannot pinch,
    so zooming never depends on two fingers."""
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.floatlayout import FloatLayout

    from mobile.app.widgets import Btn

    area = FloatLayout(**kw)
    map_widget.size_hint, map_widget.pos_hint = (1, 1), {"x": 0, "y": 0}
    area.add_widget(map_widget)
    side = BoxLayout(orientation="vertical", size_hint=(None, None), width=theme.TARGET_H + dp(8),
                     height=3 * theme.TARGET_H + 2 * dp(6), spacing=dp(6), pos_hint={"right": 0.98, "top": 0.97})
    side.add_widget(Btn("+", kind="bar", height=theme.TARGET_H, on_press=lambda: map_widget.zoom_by(1)))
    side.add_widget(Btn("−", kind="bar", height=theme.TARGET_H, on_press=lambda: map_widget.zoom_by(-1)))
    side.add_widget(Btn("◎", kind="bar", height=theme.TARGET_H, on_press=on_centre))
    area.add_widget(side)
    area.zoom_in, area.zoom_out = side.children[2], side.children[1]
    return area
