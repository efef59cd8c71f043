"""Android foreground service entry (python-for-android runs this file in its own process; see
`services` in mobile/buildozer.spec). The argument is the app's data folder; the work is in
mobile.core.patrol_service."""
from __future__ import annotations

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the app's root, where main.py is
    import main  # noqa: F401 - registers this folder as the `mobile` package, as for the app
    from mobile.core.patrol_service import main as run

    run(os.environ.get("PYTHON_SERVICE_ARGUMENT") or ".")
