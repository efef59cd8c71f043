"""Sizes and contrast of one screen, read from its widget tree (issue 16 item 3).

Every visible touch target at least 48 dp each way, primary actions (Btn kinds primary/danger/ok) 56 dp
high; every text at least 16 sp; every text colour at least 4.5:1 (WCAG AA) against what it is drawn
on: a button's own colour, a text field's, else the nearest filled ancestor (card, bar) or the window."""
from __future__ import annotations

import re

from kivy.core.window import Window
from kivy.metrics import dp, sp
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput

from mobile.app import theme

AA = 4.5
MARKUP_SIZE = re.compile(r"\[size=(\d+(?:\.\d+)?)(sp|dp)?\]")
MARKUP_COLOUR = re.compile(r"\[color=#([0-9a-fA-F]{6})\]")


def _visible(w) -> bool:
    node = w
    while node is not None and node is not Window:
        if getattr(node, "opacity", 1) == 0 or (hasattr(node, "height") and node.height <= 0):
            return False
        node = node.parent
    return True


def _background(w):
    node = w.parent
    while node is not None and node is not Window:
        bg = getattr(node, "_bg_color", None)
        if bg is not None:
            return tuple(bg.rgba)
        if isinstance(node, Button):
            return tuple(node.background_color)
        node = node.parent
    return tuple(Window.clearcolor)


def _name(w) -> str:
    return f"{type(w).__name__}({(getattr(w, 'text', '') or getattr(w, 'hint_text', ''))[:24]!r})"


def audit(root) -> list[str]:
    problems = []
    for w in root.walk(restrict=True):
        if not _visible(w):
            continue
        if isinstance(w, Button):
            if w.height < dp(48) - 0.5 or w.width < dp(48) - 0.5:
                problems.append(f"{_name(w)} target {w.width / dp(1):.0f}x{w.height / dp(1):.0f} dp < 48 dp")
            if getattr(w, "kind", None) in ("primary", "danger", "ok") and w.height < dp(56) - 0.5:
                problems.append(f"{_name(w)} primary action {w.height / dp(1):.0f} dp high < 56 dp")
            if w.text:
                ratio = theme.contrast(w.disabled_color if w.disabled else w.color, w.background_color)
                if ratio < AA:
                    problems.append(f"{_name(w)} contrast {ratio:.1f}:1 < {AA}:1")
        if isinstance(w, TextInput):
            if w.height < dp(48) - 0.5:
                problems.append(f"{_name(w)} field {w.height / dp(1):.0f} dp < 48 dp")
            if w.font_size < sp(16) - 0.5:
                problems.append(f"{_name(w)} text {w.font_size / sp(1):.0f} sp < 16 sp")
            for colour, what in ((w.foreground_color, "text"), (w.hint_text_color, "hint")):
                ratio = theme.contrast(colour, w.background_color)
                if ratio < AA:
                    problems.append(f"{_name(w)} {what} contrast {ratio:.1f}:1 < {AA}:1")
        if isinstance(w, Label) and w.text:
            sizes = [w.font_size] + [sp(float(n)) if u != "dp" else dp(float(n)) for n, u in MARKUP_SIZE.findall(w.text)]
            if min(sizes) < sp(16) - 0.5:
                problems.append(f"{_name(w)} text {min(sizes) / sp(1):.0f} sp < 16 sp")
            if not isinstance(w, Button):
                bg = _background(w)
                colours = [tuple(w.color)] + [tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)) + (1,)
                                              for h in MARKUP_COLOUR.findall(w.text)]
                for c in colours:
                    ratio = theme.contrast(c, bg)
                    if ratio < AA:
                        problems.append(f"{_name(w)} contrast {ratio:.1f}:1 < {AA}:1")
    return problems
