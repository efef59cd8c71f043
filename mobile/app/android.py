"""Android-only start-up: ask for the runtime permissions the manifest declares (API 23+ needs both)."""
from __future__ import annotations

from mobile.core.device import is_android

RUNTIME = ("CAMERA", "ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "READ_EXTERNAL_STORAGE",
           "WRITE_EXTERNAL_STORAGE", "READ_MEDIA_IMAGES")


def request_permissions(on_done=None) -> bool:
    """False on a desktop (nothing to ask). On the phone: True, and the system dialog answers later
    through on_done(granted: dict)."""
    if not is_android():
        return False
    try:
        from android.permissions import Permission, request_permissions as ask  # type: ignore[import-not-found]
    except ImportError:
        return False
    wanted = [getattr(Permission, p) for p in RUNTIME if hasattr(Permission, p)]

    def answered(perms, grants):
        if on_done:
            on_done(dict(zip(perms, grants)))

    ask(wanted, answered)
    return True
