"""Reuse detection on the made corpus (tests/factories/reuse_corpus.py): every doctored copy is caught
and traced to its original; no honest repeat visit is flagged, against any stored photo.

The figures for the note come from bench/reuse_corpus.py on a larger corpus; this is the same check at
a size the suite can afford.
"""
from __future__ import annotations

import pytest

from server.images import reuse as R
from tests.factories import reuse_corpus as rc

SCENES, DAYS = 3, 3


@pytest.fixture(scope="module")
def corpus():
    c = rc.build(scenes=SCENES, days=DAYS)
    stored = {k: R.Features.from_bytes(R.features_of(v).to_bytes()) for k, v in c.stored.items()}
    return c, stored


def _reused(data: bytes, stored: dict) -> list[str]:
    q = R.features_of(data)
    qm = R.mirrored(q)
    return [k for k, f in stored.items() if (m := R.compare(q, f, qm)) is not None and m.is_reuse]


def test_every_transformation_is_in_the_corpus(corpus):
    c, _ = corpus
    assert {n for n, _, _ in c.doctored} == set(rc.TRANSFORMS)
    for name in ("crop_15_each_side", "rotate_90", "rotate_270", "mirror", "scale_30", "recompress_q30", "brighter",
                 "contrast_down", "text_overlay", "screenshot", "screenshot_landscape"):
        assert name in rc.TRANSFORMS


@pytest.mark.parametrize("name", list(rc.TRANSFORMS))
def test_doctored_copy_is_caught_and_traced_to_its_original(corpus, name):
    c, stored = corpus
    for n, original, data in c.doctored:
        if n == name:
            assert _reused(data, stored) == [original], f"{name} of {original}"


def test_honest_repeat_visits_are_not_flagged(corpus):
    c, stored = corpus
    flagged = {label: hits for label, data in c.honest if (hits := _reused(data, stored))}
    assert flagged == {}
    # Nor against each other: every later visit of a scene against every earlier one.
    visits = {label: R.features_of(data) for label, data in c.honest}
    for a, fa in visits.items():
        for b, fb in visits.items():
            if a < b and a[:2] == b[:2]:
                m = R.compare(fb, fa)
                assert m is None or not m.is_reuse, (a, b, m)


def test_honest_visits_are_still_the_same_view(corpus):
    """What the before-vs-finding check relies on: a repeat visit matches its scene's features."""
    c, stored = corpus
    for label, data in c.honest:
        m = R.compare(R.features_of(data), stored[label[:2] + "d0"])
        assert m is not None and m.inliers >= R.MIN_INLIERS and not m.is_reuse, (label, m)


def test_features_survive_storage(corpus):
    c, stored = corpus
    f = R.features_of(c.stored["s0d0"])
    g = R.Features.from_bytes(f.to_bytes())
    assert g.size == f.size and (g.descriptors == f.descriptors).all()
    assert len(f.to_bytes()) < 120_000
    m = R.compare(R.features_of(c.doctored[6][2]), g)
    assert m is not None and m.is_reuse


@pytest.mark.parametrize("name", list(rc.TRANSFORMS))
def test_the_first_look_lets_every_copy_through_to_the_full_comparison(corpus, name):
    """find_reuse compares in full only what rank() lets through, and only on the sides it names."""
    c, stored = corpus
    keys = list(stored)
    probes = [(i, R.probe_bytes(stored[k])) for i, k in enumerate(keys)]
    for n, original, data in c.doctored:
        if n != name:
            continue
        q = R.Features.from_bytes(R.features_of(data).to_bytes())
        ranked = dict(R.rank(q, q.mirror, probes, len(keys)))
        i = keys.index(original)
        assert i in ranked and ranked[i], f"{name} of {original}: dropped by the first look"
        m = R.compare(q, stored[original], q.mirror, ranked[i])
        assert m is not None and m.is_reuse, f"{name} of {original}: not caught on the sides {ranked[i]}"


def test_probes_carry_positions_and_older_probes_still_rank(corpus):
    c, stored = corpus
    f = stored["s0d0"]
    desc, pts = R.parse_probe(R.probe_bytes(f))
    assert (desc == f.descriptors[:R.PROBE]).all() and pts is not None
    assert abs(pts - f.points[:R.PROBE]).max() <= 0.125  # quarter-pixel steps
    old = f.descriptors[:R.PROBE].tobytes()  # as stored before positions were kept
    d_old, p_old = R.parse_probe(old)
    assert (d_old == desc).all() and p_old is None
    q = R.Features.from_bytes(R.features_of(c.doctored[3][2]).to_bytes())  # a copy of s0d0
    assert c.doctored[3][1] == "s0d0"
    assert [i for i, _s in R.rank(q, q.mirror, [(7, old)], 1)] == [7]
    empty = R.probe_bytes(R.Features((16, 12), f.points[:0], f.descriptors[:0], f.gray))
    assert R.parse_probe(empty)[0].shape == (0, 32) and R.rank(q, q.mirror, [(1, empty)], 1) == []
