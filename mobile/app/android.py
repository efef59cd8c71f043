"""Android-only start-up: ask for the runtime permissions the manifest declares (API 23+ needs both)."""
from __future__ import annotations

from mobile.core.device import is_android

RUNTIME = ("CAMERA", "ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "READ_EXTERNAL_STORAGE",
           "WRITE_EXTERNAL_STORAGE", "READ_MEDIA_IMAGES", "POST_NOTIFICATIONS")
# Android 11+ grants background location only in a second request, after the foreground one
# (the system shows its own "Allow all the time" page); asked when the first patrol starts.
BACKGROUND = ("ACCESS_BACKGROUND_LOCATION",)
SERVICE_CLASS = "org.outfallwatch.outfallwatch.ServicePatrol"  # package.domain + package.name + Service<Name>


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


def request_background_location() -> bool:
    if not is_android():
        return False
    try:
        from android.permissions import Permission, request_permissions as ask  # type: ignore[import-not-found]
    except ImportError:
        return False
    ask([getattr(Permission, p) for p in BACKGROUND if hasattr(Permission, p)])
    return True


def start_patrol_service(data_dir: str) -> bool:
    """Start the foreground patrol service (Android); False on a desktop, where the app records itself."""
    if not is_android():
        return False
    from jnius import autoclass  # type: ignore[import-not-found]

    activity = autoclass("org.kivy.android.PythonActivity").mActivity
    autoclass(SERVICE_CLASS).start(activity, "", "巡河中 / Patrolling", "轨迹记录中 / recording the track",
                                   str(data_dir))
    return True


def stop_patrol_service() -> None:
    if not is_android():
        return
    from jnius import autoclass  # type: ignore[import-not-found]

    autoclass(SERVICE_CLASS).stop(autoclass("org.kivy.android.PythonActivity").mActivity)
