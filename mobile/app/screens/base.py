"""The page every screen is: a top bar, a scrolling body, a one-line message area.

Screens build their widgets in build() (so a language switch is just a rebuild) and fill them
with data in refresh(), called each time the screen is shown.
"""
from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.logger import Logger
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from mobile.app import theme
from mobile.app.widgets import PatrolStrip, Scroll, Text, TopBar


class Page(Screen):
    strict = False  # tests set True: a failing refresh raises instead of showing its message
    title = ""
    back = True  # show a back arrow

    def __init__(self, **kw):
        super().__init__(**kw)
        self.params: dict = {}
        self._root = BoxLayout(orientation="vertical")
        self.add_widget(self._root)
        self.rebuild()

    @property
    def app(self):
        return App.get_running_app()

    @property
    def services(self):
        return self.app.services

    def rebuild(self):
        self._root.clear_widgets()
        self._root.add_widget(TopBar(self.page_title(), on_back=self.go_back if self.back else None,
                                     right=self.bar_button()))
        self.message = Text("", color=theme.DANGER, size=theme.FONT_SMALL, padding=[theme.PAD, 0], min_height=0)
        self._root.add_widget(self.message)
        self.patrol_strip = PatrolStrip(on_press=self._open_patrol)
        self._root.add_widget(self.patrol_strip)
        self.scroll = Scroll()
        self.body = self.scroll.body
        header = self.build_header()
        if header is not None:  # above the scroll: it never moves as the form below it grows or scrolls
            self._root.add_widget(header)
        self._root.add_widget(self.scroll)
        self.build()
        footer = self.build_footer()
        if footer is not None:  # outside the scroll: Save stays reachable however long the form is
            self._root.add_widget(footer)
        self.show_patrol()

    # Overridable pieces -----------------------------------------------------------------------
    def page_title(self) -> str:
        return self.title

    def bar_button(self):
        return None

    def build(self):
        """Create the widgets (called again after a language switch)."""

    def build_header(self):
        """A part fixed above the scrolling body (the registration map), or None."""
        return None

    def build_footer(self):
        """A bar fixed under the scrolling body (a form's Save), or None."""
        return None

    def refresh(self):
        """Fill the widgets with current data (called every time the screen is shown)."""

    # Helpers ----------------------------------------------------------------------------------
    def on_pre_enter(self, *_a):
        self.say("")
        self.show_patrol()
        try:
            self.refresh()
        except Exception as e:  # a bad cached record must not take the whole app down in the field
            if Page.strict:
                raise
            Logger.exception("OutfallWatch: refreshing %s failed", self.name)
            self.say(str(e))

    def show_patrol(self):
        """The running patrol, shown on every screen (it keeps recording whatever screen is open)."""
        try:
            patrol = self.services.patrol if self.services else None
        except AttributeError:  # built before the app has its services
            patrol = None
        self.patrol_strip.show(patrol if patrol is not None and patrol.running and self.name != "patrol" else None)

    def _open_patrol(self):
        self.app.go("patrol")

    def go_back(self):
        self.app.back()

    def say(self, text: str, ok: bool = False):
        """A short message under the top bar: errors in red, confirmations in green."""
        self.message.color = theme.OK if ok else theme.DANGER
        self.message.text = text
        self.message_is_refusal = bool(text) and not ok

    def later(self, fn, delay=0):
        Clock.schedule_once(lambda _dt: fn(), delay)

    def take_photo(self, slot):
        """Camera (or file chooser) -> the slot's preview; the callback may come from another thread."""
        def done(path):
            if path:
                Clock.schedule_once(lambda _dt: slot.show(path), 0)
        try:
            self.services.camera.take(done)
        except Exception as e:  # noqa: BLE001 - no camera permission etc.: say so, keep the form
            self.say(str(e))
