"""Outfall Watch phone app entry point: `python -m mobile.main --server URL` (buildozer runs this file)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python mobile/main.py, or by python-for-android)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("KIVY_NO_ARGS", "1")  # our options are ours, not Kivy's


def main(argv: list[str] | None = None) -> None:
    from mobile.app.options import parse

    options = parse(sys.argv[1:] if argv is None else argv)
    from mobile.app.app import OutfallWatchApp

    OutfallWatchApp(options).run()


if __name__ == "__main__":
    main()
