"""Outfall Watch phone app entry point: `python -m mobile.main --server URL` (buildozer runs this file)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def _register_package() -> None:
    """Run as a file (python mobile/main.py, or by python-for-android, where this folder IS the app's
    root): make this folder importable as the `mobile` package so `mobile.app`/`mobile.core` resolve."""
    import importlib.util

    if "mobile" in sys.modules:
        return
    here = Path(__file__).resolve().parent
    spec = importlib.util.spec_from_file_location("mobile", here / "__init__.py",
                                                  submodule_search_locations=[str(here)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["mobile"] = module
    spec.loader.exec_module(module)


if __package__ in (None, ""):
    _register_package()

os.environ.setdefault("KIVY_NO_ARGS", "1")  # our options are ours, not Kivy's


def main(argv: list[str] | None = None) -> None:
    from mobile.app.options import parse

    options = parse(sys.argv[1:] if argv is None else argv)
    from mobile.app.app import OutfallWatchApp

    OutfallWatchApp(options).run()


if __name__ == "__main__":
    main()
