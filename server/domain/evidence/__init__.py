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
    before_view_check,
    duplicate_in_submission_check,
    reuse_check,
    reuse_edit_words,
    hamming,
    is_editor,
    pair_checks,
    phash_bands,
    photo_checks,
    sort_checks,
    worst,
)

__all__ = ["CLOCK_SKEW", "CODES", "SEVERITIES", "SEVERITY", "Check", "PhotoFacts", "Site", "Window", "hamming",
           "is_editor", "pair_checks", "before_view_check", "duplicate_in_submission_check", "reuse_check",
           "reuse_edit_words", "phash_bands", "photo_checks", "sort_checks", "worst"]
