"""Desktop camera for the UI: a Kivy file chooser popup.

Adapter (core gap): mobile.core.device.FilePickerCamera wants a synchronous pick() -> path, but a
Kivy dialog answers later, on the UI thread. This class satisfies the same Camera protocol
(take(on_done)) with a popup instead. On Android the core's PlyerCamera is used as is.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.filechooser import FileChooserIconView
from kivy.uix.popup import Popup

from mobile.app.i18n import _
from mobile.app.widgets import Btn, Row

IMAGE_FILTERS = ["*.jpg", "*.jpeg", "*.png", "*.heic", "*.JPG", "*.JPEG", "*.PNG"]


class ChooserCamera:
    def __init__(self, start_dir: str | None = None):
        self.start_dir = start_dir or str(Path.home())

    def take(self, on_done: Callable[[str | None], None]) -> None:
        chooser = FileChooserIconView(path=self.start_dir, filters=IMAGE_FILTERS)
        box = BoxLayout(orientation="vertical", spacing=dp(6))
        box.add_widget(chooser)
        row = Row()
        popup = Popup(title=_("Choose a photo"), content=box, size_hint=(0.95, 0.9))

        def finish(path):
            popup.dismiss()
            if path:
                self.start_dir = str(Path(path).parent)
            on_done(path if path and Path(path).is_file() else None)

        row.add_widget(Btn(_("Cancel"), on_press=lambda: finish(None), kind="secondary"))
        row.add_widget(Btn(_("Use this photo"), on_press=lambda: finish(chooser.selection[0] if chooser.selection
                                                                         else None)))
        box.add_widget(row)
        chooser.bind(on_submit=lambda _c, sel, _t: finish(sel[0] if sel else None))
        popup.open()
