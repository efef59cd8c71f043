"""Small reusable widgets so screens read as layouts, not styling."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle, RoundedRectangle
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.spinner import Spinner, SpinnerOption
from kivy.uix.textinput import TextInput

from mobile.app import theme
from mobile.app.i18n import _


class Text(Label):
    """A wrapping label whose height follows its text (Kivy labels do not size themselves)."""

    def __init__(self, text="", size=None, color=None, bold=False, halign="left", min_height=dp(20),
                 fill_height=False, fixed_height=None, **kw):
        """fill_height: take the row's height and centre vertically (a label beside a field).
        fixed_height: always this high, whatever the text (text that changes must not move the layout)."""
        self.fixed_height = fixed_height
        super().__init__(text=str(text), font_size=size or theme.FONT, color=color or theme.TEXT, bold=bold, halign=halign,
                         valign="middle", size_hint_y=1 if fill_height else None, markup=True, **kw)
        self.min_height, self.fill_height = min_height, fill_height
        self.bind(size=self._wrap, texture_size=self._fit, text=self._fit)
        self._wrap()
        self._fit()

    def _wrap(self, *_a):
        self.text_size = (self.width, self.height if self.fill_height else None)

    def _fit(self, *_a):
        if self.fixed_height is not None:
            self.height = self.fixed_height
        elif not self.fill_height:
            self.height = max(self.texture_size[1], self.min_height) if self.text else self.min_height


class Filled:
    """Mixin painting a (rounded) background under a layout."""

    def paint(self, color, radius=0):
        with self.canvas.before:
            self._bg_color = Color(*color)
            self._bg = (RoundedRectangle(radius=[radius]) if radius else Rectangle())
        self.bind(pos=self._sync_bg, size=self._sync_bg)

    def set_fill(self, color):
        self._bg_color.rgba = color

    def _sync_bg(self, *_a):
        self._bg.pos, self._bg.size = self.pos, self.size


class Column(BoxLayout, Filled):
    """A vertical stack whose height is the sum of its children (for use inside a ScrollView)."""

    def __init__(self, fill=None, radius=0, **kw):
        kw.setdefault("orientation", "vertical")
        kw.setdefault("spacing", theme.GAP)
        super().__init__(size_hint_y=None, **kw)
        self.bind(minimum_height=self.setter("height"))
        if fill:
            self.paint(fill, radius)


class Card(Column):
    def __init__(self, **kw):
        kw.setdefault("padding", theme.PAD)
        kw.setdefault("spacing", dp(4))
        super().__init__(fill=theme.CARD, radius=dp(8), **kw)


class Row(BoxLayout, Filled):
    def __init__(self, height=None, fill=None, **kw):
        kw.setdefault("spacing", theme.GAP)
        super().__init__(orientation="horizontal", size_hint_y=None, height=height or theme.BUTTON_H, **kw)
        if fill:
            self.paint(fill)


def button_colours(kind):
    """(background, text) of a button kind in the current palette."""
    return {"primary": (theme.PRIMARY, theme.ON_PRIMARY), "bar": (theme.PRIMARY, theme.ON_PRIMARY),
            "secondary": (theme.SECONDARY_BUTTON, theme.TEXT),
            "danger": (theme.DANGER, theme.ON_PRIMARY), "ok": (theme.OK, theme.ON_PRIMARY),
            "accent": (theme.ACCENT, theme.ON_PRIMARY)}[kind]


class Btn(Button):
    """A button; kind "primary" (and danger/ok) is a main action: 56 dp high. Others 48 dp at least
    ("bar": the top bar's and the map's own controls, in the primary colour)."""

    def __init__(self, text, on_press=None, kind="primary", height=None, **kw):
        bg, fg = button_colours(kind)
        self.kind = kind
        kw.setdefault("size_hint_y", None)
        default_h = theme.BUTTON_H if kind in ("primary", "danger", "ok") else theme.TARGET_H
        super().__init__(text=text, background_normal="", background_down="", background_color=bg,
                         color=fg, font_size=theme.FONT, height=max(height or default_h, theme.TARGET_H),
                         halign="center", valign="middle", **kw)
        self.bind(size=lambda *_a: setattr(self, "text_size", (self.width - dp(8), None)))
        if on_press:
            self.bind(on_release=lambda *_a: on_press())


class Field(TextInput):
    def __init__(self, hint="", text="", password=False, multiline=False, height=None, **kw):
        super().__init__(hint_text=hint, text=text, password=password, multiline=multiline,
                         hint_text_color=theme.MUTED, foreground_color=theme.TEXT, background_color=theme.CARD,
                         cursor_color=theme.TEXT,
                         size_hint_y=None, height=max(height or theme.FIELD_H, theme.TARGET_H), font_size=theme.FONT,
                         write_tab=False, padding=[dp(8), dp(10), dp(8), dp(8)], **kw)


class NumberField(Field):
    """Digits only, and Android shows its number pad (input_type)."""

    def __init__(self, **kw):
        super().__init__(input_filter="float", input_type="number", **kw)


class PickerOption(SpinnerOption):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.font_size = theme.FONT
        self.height = theme.FIELD_H
        self.background_normal = ""
        self.background_color = theme.PRIMARY_DARK
        self.color = theme.ON_PRIMARY


class Picker(Spinner):
    """A drop-down over (value, label) pairs; .value is the chosen value, None until picked."""

    def __init__(self, choices, placeholder, on_change=None, **kw):
        super().__init__(text=placeholder, size_hint_y=None, height=theme.FIELD_H, font_size=theme.FONT,
                         option_cls=PickerOption, background_normal="", background_disabled_normal="",
                         background_color=theme.SECONDARY_BUTTON, color=theme.TEXT, disabled_color=theme.MUTED, **kw)
        self.placeholder = placeholder
        self._on_change = on_change
        self.set_choices(choices)
        self.bind(text=self._picked)

    def set_choices(self, choices):
        self._by_label = {label: value for value, label in choices}
        self._by_value = {value: label for value, label in choices}
        self.values = [label for _v, label in choices]
        self.text = self.placeholder

    @property
    def value(self):
        return self._by_label.get(self.text)

    def select(self, value):
        self.text = self._by_value[value]

    def _picked(self, *_a):
        if self._on_change:
            self._on_change(self.value)


class Toggle(Btn):
    """A yes/no switch drawn as a button, clearer in sunlight than Kivy's Switch."""

    def __init__(self, on_text, off_text, active=False, **kw):
        self.yes_text, self.no_text = on_text, off_text
        super().__init__("", on_press=self.flip, **kw)
        self.active = active
        self._show()

    def flip(self):
        self.active = not self.active
        self._show()

    def _show(self):
        self.text = self.yes_text if self.active else self.no_text
        self.background_color, self.color = button_colours("primary" if self.active else "secondary")


def after_flip(fn):
    """An on_release handler for a Toggle that runs `fn` once the toggle has flipped. Kivy calls the
    handler bound last first (so before the flip), and a handler returning True stops the event (so
    this one returns None: scheduling and returning the ClockEvent would have cancelled the flip)."""
    def handler(*_a):
        Clock.schedule_once(lambda _dt: fn(), 0)
    return handler


class Scroll(ScrollView):
    """A scrolling page body: add widgets to .body."""

    def __init__(self, **kw):
        super().__init__(do_scroll_x=False, bar_width=dp(4), **kw)
        self.body = Column(padding=theme.PAD)
        self.add_widget(self.body)


class PhotoSlot(BoxLayout):
    """A photo preview with its caption and a button to take/choose the picture."""

    def __init__(self, caption, on_pick, height=dp(170), **kw):
        super().__init__(orientation="vertical", size_hint_y=None, height=height, spacing=dp(4), **kw)
        self.path = None
        self.add_widget(Text(caption, size=theme.FONT_SMALL, color=theme.MUTED))
        self.image = Image(fit_mode="contain")
        self.placeholder = Text(_("No photo yet"), color=theme.MUTED, halign="center")
        self.frame = BoxLayout()
        self.frame.add_widget(self.placeholder)
        self.add_widget(self.frame)
        self.add_widget(Btn(_("Take photo"), on_press=on_pick, kind="secondary", height=dp(38)))

    def show(self, path):
        self.path = path
        self.image.source = str(path)
        self.image.reload()
        if self.image.parent is None:
            self.frame.clear_widgets()
            self.frame.add_widget(self.image)


class TopBar(Row):
    """Title bar: back arrow (when there is somewhere to go back to), title, optional right button."""

    def __init__(self, title, on_back=None, right=None, **kw):
        super().__init__(height=theme.BAR_H, fill=theme.PRIMARY, padding=[dp(4) if on_back else dp(14), dp(4)],
                         **kw)
        if on_back:
            self.add_widget(Btn("‹ " + _("Back"), on_press=on_back, size_hint_x=None, width=dp(96),
                                height=theme.BAR_H - dp(8), kind="bar"))
        lbl = Label(text=title, color=theme.ON_PRIMARY, font_size=theme.FONT_TITLE, bold=True,
                    halign="left", valign="middle", shorten=True, shorten_from="right")
        lbl.bind(size=lambda *_a: setattr(lbl, "text_size", lbl.size))
        self.add_widget(lbl)
        if right is not None:
            self.add_widget(right)


class KeyValues(GridLayout):
    """Two-column facts table."""

    def __init__(self, pairs, **kw):
        super().__init__(cols=2, size_hint_y=None, spacing=[dp(8), dp(2)], **kw)
        self.bind(minimum_height=self.setter("height"))
        for k, v in pairs:
            key = Text(k, color=theme.MUTED, size=theme.FONT_SMALL, size_hint_x=0.38)
            val = Text("—" if v in (None, "") else v, size_hint_x=0.62)
            self.add_widget(key)
            self.add_widget(val)
        # GridLayout rows take the tallest cell; keep key/value pairs aligned when values wrap.


class PhotoStrip(BoxLayout):
    """One evidence slot holding several photos: thumbnails in a row (tap one to see it large, or to
    remove it) and a large "Add photo" button. `.paths` is what the form saves."""

    THUMB = dp(96)

    def __init__(self, caption, on_add, on_change=None, on_open=None, **kw):
        super().__init__(orientation="vertical", size_hint_y=None, spacing=dp(4), **kw)
        self.paths: list[str] = []
        self._on_change, self._on_open = on_change, on_open
        self.caption = Text(caption, size=theme.FONT_SMALL, color=theme.MUTED)
        self.add_widget(self.caption)
        self.thumbs = BoxLayout(orientation="horizontal", size_hint_y=None, height=self.THUMB, spacing=dp(6))
        self.add_widget(self.thumbs)
        self.add_button = Btn(_("Add photo"), on_press=on_add, kind="secondary", height=theme.TARGET_H)
        self.add_widget(self.add_button)
        self.bind(minimum_height=self.setter("height"))
        self._draw()

    @property
    def path(self):  # the first photo (older callers)
        return self.paths[0] if self.paths else None

    def set_paths(self, paths):
        self.paths = [str(p) for p in paths]
        self._draw()

    def add(self, path):
        self.paths.append(str(path))
        self._draw()
        if self._on_change:
            self._on_change()

    show = add  # older callers

    def remove(self, path):
        if path in self.paths:
            self.paths.remove(path)
            self._draw()
            if self._on_change:
                self._on_change()

    def _draw(self):
        self.thumbs.clear_widgets()
        if not self.paths:
            self.thumbs.height = dp(28)
            self.thumbs.add_widget(Text(_("No photo yet"), color=theme.MUTED, size=theme.FONT_SMALL))
            return
        self.thumbs.height = self.THUMB
        for p in self.paths:
            self.thumbs.add_widget(ThumbButton(p, on_press=lambda p=p: self._on_open(self, p) if self._on_open
                                               else None))
        self.thumbs.add_widget(Label(text=_("{n} photos").format(n=len(self.paths)), color=theme.MUTED,
                                     font_size=theme.FONT_SMALL, size_hint_x=None, width=dp(80)))


class ThumbButton(Button):
    """A photo thumbnail that is also a ≥ 48 dp touch target; tap to see it large."""

    @staticmethod
    def size_for():
        return PhotoStrip.THUMB

    def __init__(self, path, on_press, **kw):
        super().__init__(background_normal="", background_down="", background_color=theme.SECONDARY_BUTTON,
                         size_hint=(None, None), size=(PhotoStrip.THUMB, PhotoStrip.THUMB), **kw)
        self.path = path
        img = Image(source=str(path), fit_mode="contain")
        self.add_widget(img)
        self.bind(pos=lambda *_a: setattr(img, "pos", self.pos), size=lambda *_a: setattr(img, "size", self.size))
        self.bind(on_release=lambda *_a: on_press())


def confirm(title, text, yes, on_yes, no=None, yes_kind="danger"):
    """A modal question with two large buttons; `on_yes` runs only on the explicit yes."""
    from kivy.uix.popup import Popup

    box = BoxLayout(orientation="vertical", spacing=theme.GAP, padding=theme.PAD)
    msg = Text(text, color=(1, 1, 1, 1), fill_height=True)  # on the dialog's own dark background
    msg.valign = "top"
    box.add_widget(msg)
    row = Row(height=theme.BUTTON_H)
    popup = Popup(title=title, content=box, size_hint=(0.92, None), height=dp(360), auto_dismiss=False,
                  title_size=theme.FONT_TITLE, background_color=(0.12, 0.13, 0.14, 1), background="",
                  separator_color=theme.PRIMARY)

    def yes_pressed():
        popup.dismiss()
        on_yes()

    row.add_widget(Btn(no or _("Cancel"), on_press=popup.dismiss, kind="secondary"))
    row.add_widget(Btn(yes, on_press=yes_pressed, kind=yes_kind))
    box.add_widget(row)
    popup.open()
    return popup


def show_photo(path, on_remove=None, title=""):
    """A photo full screen, pinch or double-tap to zoom (Kivy's Scatter); optionally a remove button."""
    from kivy.uix.popup import Popup
    from kivy.uix.scatterlayout import ScatterLayout

    box = BoxLayout(orientation="vertical", spacing=theme.GAP)
    scatter = ScatterLayout(do_rotation=False, scale_min=1, scale_max=8, auto_bring_to_front=False)
    scatter.add_widget(Image(source=str(path), fit_mode="contain"))
    box.add_widget(scatter)
    row = Row(height=theme.BUTTON_H)
    popup = Popup(title=title or _("Photo"), content=box, size_hint=(1, 1), title_size=theme.FONT_TITLE)

    def zoom(factor):
        scatter.scale = max(1, min(8, scatter.scale * factor))

    row.add_widget(Btn("−", on_press=lambda: zoom(0.5), kind="secondary", size_hint_x=0.2))
    row.add_widget(Btn("+", on_press=lambda: zoom(2), kind="secondary", size_hint_x=0.2))
    if on_remove:
        row.add_widget(Btn(_("Remove"), kind="danger", on_press=lambda: confirm(
            _("Remove this photo?"), _("It is taken off this form."), _("Remove"),
            lambda: (popup.dismiss(), on_remove()))))
    row.add_widget(Btn(_("Close"), on_press=popup.dismiss))
    box.add_widget(row)
    popup.open()
    return popup


class PatrolStrip(Button):
    """"Patrol running · 1.2 km · 0:25" under the top bar on every screen; tap to open the patrol.
    Zero height while no patrol runs."""

    def __init__(self, on_press, **kw):
        super().__init__(background_normal="", background_down="", background_color=theme.PATROL,
                         color=theme.ON_PRIMARY, font_size=theme.FONT, bold=True, size_hint_y=None, height=0,
                         opacity=0, disabled=True, **kw)
        self.bind(on_release=lambda *_a: on_press())

    def show(self, patrol):
        from mobile.app.formatting import distance, duration

        if patrol is None:
            self.height, self.opacity, self.disabled, self.text = 0, 0, True, ""
            return
        self.height, self.opacity, self.disabled = theme.TARGET_H, 1, False
        self.text = "● " + _("Patrol running · {dist} · {time}").format(
            dist=distance(patrol.distance_m), time=duration(patrol.duration_s))


class Chip(BoxLayout, Filled):
    """A status tag (e.g. a 查测溯治 phase reached): drawn as a flat rounded label, not a button."""

    def __init__(self, text, on=False, **kw):
        super().__init__(size_hint=(None, None), height=dp(36), width=max(dp(44), len(text) * dp(10) + dp(16)),
                         padding=[dp(4), 0], **kw)
        self.paint(theme.PRIMARY if on else theme.BACKGROUND, radius=dp(18))
        self.label = Text(text, color=theme.ON_PRIMARY if on else theme.MUTED, bold=on, halign="center",
                          fill_height=True, size=theme.FONT_SMALL)
        self.add_widget(self.label)
