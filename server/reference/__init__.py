"""Domain reference facts (HJ 1312, GB 3838/18918/8978, districts, GCJ-02) loaded as data.

`domain.json` is a vendored copy of shared/reference/domain.json so an installed package is
self-contained; tests/server/test_reference.py fails if the two drift apart.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    """The parsed domain.json, loaded once per process."""
    with resources.files(__package__).joinpath("domain.json").open("r", encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=1)
def lifecycle() -> dict[str, Any]:
    """The parsed lifecycle.json (issue 19): discharge standards, grading, targets, acceptance, intake."""
    with resources.files(__package__).joinpath("lifecycle.json").open("r", encoding="utf-8") as f:
        return json.load(f)
