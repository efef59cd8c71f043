"""Evidence checks on photos (time, place, duplicates, editing, before/after): pure functions."""
from server.domain.evidence.checks import (
    CLOCK_SKEW,
    CODES,
    SEVERITIES,
    SEVERITY,
    Check,
    PhotoFacts,
    Site,
    Window,
    hamming,
    is_editor,
    pair_checks,
    phash_bands,
    photo_checks,
    sort_checks,
    worst,
)

__all__ = ["CLOCK_SKEW", "CODES", "SEVERITIES", "SEVERITY", "Check", "PhotoFacts", "Site", "Window", "hamming",
           "is_editor", "pair_checks", "phash_bands", "photo_checks", "sort_checks", "worst"]
