"""Run core calls that may touch the network off the UI thread; deliver results on the UI thread.

One worker thread: sync passes, cache refreshes and sign-in never race each other over the client,
and the UI never freezes waiting for a slow network.
"""
from __future__ import annotations

import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from kivy.clock import Clock
from kivy.logger import Logger

_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outfallwatch-bg")
_lock = threading.Lock()
_in_flight = 0


def run(fn: Callable[..., Any], *args, on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None, **kwargs) -> None:
    """fn(*args, **kwargs) on the worker; on_done(result) or on_error(exc) later on the UI thread."""
    global _in_flight
    with _lock:
        _in_flight += 1

    def job():
        global _in_flight
        try:
            result, exc = fn(*args, **kwargs), None
        except BaseException as e:  # noqa: BLE001 - handed to the UI, which shows it
            result, exc = None, e
            Logger.warning("OutfallWatch: background %s failed: %s", getattr(fn, "__name__", fn),
                           "".join(traceback.format_exception_only(type(e), e)).strip())

        def deliver(_dt):
            global _in_flight
            try:
                if exc is None and on_done:
                    on_done(result)
                elif exc is not None and on_error:
                    on_error(exc)
            finally:
                with _lock:
                    _in_flight -= 1

        Clock.schedule_once(deliver, 0)

    _pool.submit(job)


def idle() -> bool:
    """True when no background job is running or waiting to deliver (tests wait for this)."""
    with _lock:
        return _in_flight == 0
