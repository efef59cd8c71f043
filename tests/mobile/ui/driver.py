"""Drive the real Kivy app through its screens in one process and save a PNG of each.

    python tests/mobile/ui/driver.py ROLE OUT_DIR RESULT_JSON -- <app options>

ROLE picks a scenario below. Each step acts like a user (fills widgets, presses buttons), waits
until the app is idle (background work done, sync finished), then screenshots the window. What the
screens showed goes into RESULT_JSON for the pytest side to assert on.
"""
from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from kivy.config import Config  # noqa: E402

Config.set("graphics", "width", "420")
Config.set("graphics", "height", "860")
Config.set("graphics", "resizable", "0")
Config.set("input", "mouse", "mouse,disable_multitouch")

from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.uix.button import Button  # noqa: E402
from kivy.uix.label import Label  # noqa: E402

from mobile.app import background  # noqa: E402
from mobile.app.app import OutfallWatchApp  # noqa: E402
from mobile.app.options import parse  # noqa: E402

STEP_TIMEOUT_S = 25


class Driver:
    def __init__(self, app: OutfallWatchApp, out_dir: Path, results: dict, steps):
        self.app, self.out_dir, self.results = app, out_dir, results
        self.steps = steps(self)
        self.deadline = 0.0
        self.waiting = None

    # Scheduling -------------------------------------------------------------------------------
    def start(self):
        Clock.schedule_once(lambda _dt: self.next(), 1.0)

    def next(self, value=None):
        try:
            cond = self.steps.send(value) if value is not None else next(self.steps)
        except StopIteration:
            self.results["ok"] = True
            self.app.stop()
            return
        except Exception:
            self.fail(traceback.format_exc())
            return
        self.waiting, self.deadline = cond, time.monotonic() + STEP_TIMEOUT_S
        Clock.schedule_once(self.poll, 0.1)

    def poll(self, _dt):
        cond = self.waiting
        try:
            done = cond() if callable(cond) else True
        except Exception:
            self.fail(traceback.format_exc())
            return
        if done and background.idle():
            Clock.schedule_once(lambda _dt: self.next(), 0.15)  # let the layout settle before the next step
        elif time.monotonic() > self.deadline:
            self.fail(f"timed out waiting for {getattr(cond, '__name__', cond)} on {self.app.sm.current}")
        else:
            Clock.schedule_once(self.poll, 0.1)

    def fail(self, why: str):
        self.results.setdefault("errors", []).append(why)
        self.shot("zz_failure")
        self.app.stop()

    # What a user does -------------------------------------------------------------------------
    def shot(self, name: str) -> str:
        """A PNG of the screen, and its size/contrast audit (results["audit"][name])."""
        from tests.mobile.ui.audit import audit

        path = self.out_dir / f"{name}.png"
        tmp = Window.screenshot(str(self.out_dir / f".{name}.png"))  # Kivy appends a counter
        os.replace(tmp, path)
        self.results.setdefault("screenshots", []).append(str(path))
        self.results.setdefault("audit", {})[name] = audit(self.screen)
        return str(path)

    def shots(self, name: str):
        """Steps: the screen in Chinese, then in English (name_en), then back to Chinese."""
        self.shot(name)
        self.app.set_language("en")
        yield None
        self.shot(f"{name}_en")
        self.app.set_language("zh_CN")
        yield None

    def sunlight_shot(self, name: str):
        """Steps: the screen in the high-contrast sunlight theme (name_sunlight), then back."""
        self.app.set_theme("sunlight")
        yield None
        self.shot(f"{name}_sunlight")
        self.app.set_theme("normal")
        yield None

    @property
    def screen(self):
        return self.app.sm.current_screen

    def texts(self, root=None) -> list[str]:
        """Every label and button text on the current screen (what a user can read)."""
        out = []
        for w in (root or self.screen).walk(restrict=True):
            if isinstance(w, (Label, Button)) and w.text:
                out.append(w.text)
        return out

    def press(self, text: str, root=None):
        """Press the first button whose text contains `text`."""
        for w in (root or self.screen).walk(restrict=True):
            if isinstance(w, Button) and text in w.text and not w.disabled:
                w.dispatch("on_release")
                return w
        raise AssertionError(f"no button {text!r} on {self.app.sm.current}: {self.texts()}")

    def popups(self):
        from kivy.uix.modalview import ModalView

        return [w for w in Window.children if isinstance(w, ModalView)]

    def popup_texts(self) -> list[str]:
        return [t for p in self.popups() for t in self.texts(p)]

    def press_popup(self, text: str):
        """Press a button in the open dialog (they live on the window, not the screen)."""
        for p in self.popups():
            for w in p.walk(restrict=True):
                if isinstance(w, Button) and text in w.text and not w.disabled:
                    w.dispatch("on_release")
                    return w
        raise AssertionError(f"no button {text!r} in a dialog: {self.popup_texts()}")

    # Fingers and pixels ------------------------------------------------------------------------
    def touch(self, x: float, y: float):
        """A tap at window coordinates, dispatched through the window as a finger's would be."""
        from kivy.tests.common import UnitTestTouch

        t = UnitTestTouch(x, y)
        t.touch_down()
        t.touch_up()

    def pinch(self, a0, b0, a1, b1, steps: int = 4):
        """Two fingers down at a0 and b0 (window coordinates), moved together to a1 and b1, lifted."""
        from kivy.tests.common import UnitTestTouch

        a, b = UnitTestTouch(*a0), UnitTestTouch(*b0)
        a.touch_down()
        b.touch_down()
        for i in range(1, steps + 1):
            f = i / steps
            a.touch_move(a0[0] + (a1[0] - a0[0]) * f, a0[1] + (a1[1] - a0[1]) * f)
            b.touch_move(b0[0] + (b1[0] - b0[0]) * f, b0[1] + (b1[1] - b0[1]) * f)
        a.touch_up()
        b.touch_up()

    def pixels(self, points) -> list[tuple[int, int, int]]:
        """The colours the window shows at window points (y up), read from a screenshot."""
        from PIL import Image

        tmp = Window.screenshot(str(self.out_dir / ".pixels.png"))
        try:
            with Image.open(tmp) as img:
                rgb = img.convert("RGB")
                sx, sy = rgb.width / Window.width, rgb.height / Window.height
                return [rgb.getpixel((int(round(x * sx)), int(round(rgb.height - 1 - y * sy)))) for x, y in points]
        finally:
            os.unlink(tmp)

    def pin_pixels(self, m, pin, fix) -> dict:
        """Where the map says it draws the pin and the fix (window points), and what the screen shows
        there: the pin's stem above its point, its head, and the fix's blue dot beside the stem."""
        from kivy.metrics import dp

        px, py = m.to_window(*m.screen_of(*pin))
        fx, fy = m.to_window(*m.screen_of(*fix))
        stem, head, dot = self.pixels([(px, py + dp(14)), (px, py + dp(38)), (fx + dp(6), fy)])
        return {"pin": [px, py], "fix": [fx, fy], "stem": stem, "head": head, "fix_dot": dot}

    def idle_sync(self):
        """Sync now and wait until nothing is waiting (records and photos)."""
        self.app.sync_now()
        store = self.app.services.store

        def synced():
            c = store.counts()
            return c.records_waiting == 0 and c.photos_waiting == 0
        return synced


def glyph_check() -> dict:
    """Render two different CJK characters: with a CJK font they differ, with Roboto both are the same box."""
    from kivy.core.text import Label as CoreLabel

    def pixels(ch):
        lbl = CoreLabel(text=ch, font_size=40)
        lbl.refresh()
        return bytes(lbl.texture.pixels)
    return {"distinct_cjk_glyphs": pixels("排") != pixels("河"), "font": str(OutfallWatchApp.get_running_app().font_path)}


def main(argv: list[str]) -> int:
    role, out_dir, result_path = argv[0], Path(argv[1]), Path(argv[2])
    app_args = argv[argv.index("--") + 1:] if "--" in argv else []
    out_dir.mkdir(parents=True, exist_ok=True)
    from tests.mobile.ui import scenarios

    from mobile.app.screens.base import Page

    Page.strict = True
    results: dict = {"role": role, "ok": False}
    app = OutfallWatchApp(parse(app_args))
    driver = Driver(app, out_dir, results, getattr(scenarios, role))
    Clock.schedule_once(lambda _dt: results.update(glyph_check()), 0.5)
    driver.start()
    try:
        app.run()
    except Exception:
        results.setdefault("errors", []).append(traceback.format_exc())
    result_path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if results["ok"] and not results.get("errors") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
