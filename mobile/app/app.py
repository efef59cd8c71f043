"""The Kivy application: window, font, language, the screens and the navigation between them."""
from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.screenmanager import NoTransition, ScreenManager

from mobile.app import background, i18n, theme
from mobile.app.fonts import register_default_font
from mobile.app.options import Options
from mobile.app.services import Services


def _screens():
    # Imported here: screen modules build widgets, which needs the font registered first.
    from mobile.app.screens import (failures, home, inspection, outfall, patrol, rectification, register,
                                    review, review_item, signin, tasks, finding, map, settings, tracing)
    return [signin.SignInPage, home.HomePage, failures.FailuresPage, outfall.OutfallPage,
            register.RegisterPage, inspection.InspectionPage, tasks.TasksPage,
            rectification.RectificationPage, review.ReviewPage, review_item.ReviewItemPage, patrol.PatrolPage,
            finding.FindingPage, map.MapPage, settings.SettingsPage, tracing.TracingPage]


class OutfallWatchApp(App):
    title = "Outfall Watch"

    def __init__(self, options: Options | None = None, **kw):
        super().__init__(**kw)
        self.options = options or Options()
        self.services: Services | None = None
        self.history: list[str] = []
        self.font_path = None

    def build(self):
        from mobile.app.android import request_permissions

        from pathlib import Path

        self.font_path = register_default_font(cache_dir=Path(self.options.data_dir or self.user_data_dir) / "fonts")
        Window.clearcolor = theme.BACKGROUND
        self.services = Services.start(self.options, self.options.data_dir or self.user_data_dir,
                                       deliver=lambda f: Clock.schedule_once(lambda _dt: f(), 0))
        self.services.fix_listeners.append(self._on_fix)
        # Android answers the permission dialog later; the GPS may only start after the grant.
        granted_later = request_permissions(
            on_done=lambda _granted: Clock.schedule_once(lambda _dt: self.services.start_gps(), 0))
        if not granted_later:
            self.services.start_gps()
        i18n.set_language(self.options.language or self.services.saved_language() or i18n.DEFAULT_LANGUAGE)
        saved_theme = self.options.theme or self.services.store.get_meta("theme")
        if saved_theme in theme.PALETTE_NAMES:
            theme.use(saved_theme)
            Window.clearcolor = theme.BACKGROUND
        self.sm = ScreenManager(transition=NoTransition())
        for cls in _screens():
            self.sm.add_widget(cls(name=cls.name_))
        self.sm.current = "signin"
        Window.bind(on_keyboard=self._on_key)
        Clock.schedule_interval(lambda _dt: self.sync_now(), self.options.sync_interval_s)
        Clock.schedule_interval(lambda _dt: self.sm.current_screen.show_patrol(), 2)
        return self.sm

    def on_stop(self):
        if self.services:
            self.services.stop()

    def _on_fix(self, fix):
        screen = self.sm.current_screen
        if hasattr(screen, "on_fix"):
            screen.on_fix(fix)

    # Navigation -------------------------------------------------------------------------------
    def go(self, name: str, **params):
        """Show a screen with its parameters (e.g. go("outfall", outfall=...)); back() returns."""
        screen = self.sm.get_screen(name)
        screen.params = params
        if self.sm.current != name:
            self.history.append(self.sm.current)
            self.sm.current = name
        else:
            screen.on_pre_enter()

    def back(self):
        if self.history:
            name = self.history.pop()
            self.sm.current = name

    def home(self):
        self.history.clear()
        self.sm.current = "home"

    def page(self, name: str):
        return self.sm.get_screen(name)

    def _on_key(self, _window, key, *_a):
        if key == 27 and self.sm.current not in ("signin", "home"):  # Android back button / Esc
            self.back()
            return True
        return False

    # Language ---------------------------------------------------------------------------------
    def set_language(self, lang: str):
        i18n.set_language(lang)
        self.services.save_language(lang)
        self._rebuild_all()

    def set_theme(self, name: str):
        """Normal or high-contrast sunlight palette; remembered on the phone."""
        theme.use(name)
        self.services.store.set_meta(theme=name)
        Window.clearcolor = theme.BACKGROUND
        self._rebuild_all()

    def _rebuild_all(self):
        current = self.sm.current_screen
        if hasattr(current, "save_draft"):
            current.save_draft()  # what was typed survives the rebuild (it comes back from the draft)
        for screen in self.sm.screens:
            screen.rebuild()
        current.on_pre_enter()

    # Sync -------------------------------------------------------------------------------------
    def sync_now(self, on_done=None):
        """One background sync + cache refresh; the home badge updates when it finishes."""
        if not self.services or not self.services.user:
            return

        def done(result):
            home = self.page("home")
            if self.sm.current == "home":
                home.refresh()
            if on_done:
                on_done(result)

        background.run(self.services.sync, on_done=done, on_error=lambda e: done(None))
