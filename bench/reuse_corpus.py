"""Reuse detection on the made corpus: doctored caught / doctored total, false flags / honest total.

    python bench/reuse_corpus.py [--scenes 8] [--days 4]

Stored: day 0 of every scene, and then every doctored copy too (as they would be once uploaded), so each
honest visit is judged against the originals and all their copies. Each doctored copy is caught when it
is judged a reuse of its own original (server/images/reuse.py, through the stored form of the prints).
A copy counts as caught only through the index's first look (rank, among everything stored so far,
keeping the VERIFY best) and the full comparison of what it keeps: judged a copy of its original or of
an earlier copy of it, as find_reuse reports them.
Writes bench/results/reuse_corpus_latest.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.domain.media.reuse import VERIFY  # noqa: E402
from server.images import reuse as R  # noqa: E402
from tests.factories import reuse_corpus as rc  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenes", type=int, default=8)
    ap.add_argument("--days", type=int, default=4)
    a = ap.parse_args()
    t0 = time.time()
    c = rc.build(scenes=a.scenes, days=a.days)

    def stored_form(data: bytes) -> R.Features:
        return R.Features.from_bytes(R.features_of(data).to_bytes())

    stored = {k: stored_form(v) for k, v in c.stored.items()}
    probes = {k: R.probe_bytes(f) for k, f in stored.items()}
    caught, missed, shares_doc = 0, Counter(), []
    # The index's first look (server/images/reuse.py rank) must let every copy's original through to the
    # full comparison: a copy it drops is never compared, whatever compare() would say.
    looked, dropped, traced = 0, Counter(), 0
    for name, original, data in c.doctored:
        q = stored_form(data)
        # Among everything stored so far (every scene's original and the copies before this one), as
        # find_reuse sees them: the original must be among the VERIFY it compares in full.
        # Caught: judged an edited copy of its original or of an earlier copy of it (find_reuse names them
        # all, oldest first); traced: the original itself among them.
        keys = list(stored)
        ranked = dict(R.rank(q, R.mirrored(q), [(i, probes[k]) for i, k in enumerate(keys)], VERIFY))
        lineage = [i for i in ranked if keys[i] == original or keys[i].startswith(original + ":")]
        looked += bool(lineage)
        if not lineage:
            dropped[name] += 1
        hits = {keys[i]: m for i in lineage if (m := R.compare(q, stored[keys[i]], sides=ranked[i])) is not None
                and m.is_reuse}
        if hits:
            caught += 1
            traced += original in hits
            shares_doc.append(max(m.agree_share for m in hits.values()))
        else:
            missed[name] += 1
        stored[f"{original}:{name}"] = q
        probes[f"{original}:{name}"] = R.probe_bytes(q)
    flags, shares_honest = [], []
    for label, data in c.honest:
        q = stored_form(data)
        best = 0.0
        for k, f in stored.items():
            m = R.compare(q, f)
            if m is not None:
                best = max(best, m.agree_share)
                if m.is_reuse:
                    flags.append((label, k))
        shares_honest.append(best)
    out = {
        "doctored_caught": caught, "doctored_total": len(c.doctored), "missed_by_transformation": dict(missed),
        "doctored_through_first_look": looked, "dropped_by_first_look": dict(dropped),
        "doctored_traced_to_their_original": traced, "compared_in_full_at_most": VERIFY,
        "false_flags": len({f[0] for f in flags}), "honest_total": len(c.honest), "flags": flags,
        "transformations": list(rc.TRANSFORMS), "scenes": a.scenes, "days": a.days,
        "stored_compared_per_honest_photo": len(stored),
        "agree_share_threshold": R.AGREE_SHARE,
        "lowest_agree_share_of_a_caught_copy": round(min(shares_doc), 3) if shares_doc else None,
        "highest_agree_share_of_an_honest_visit": round(max(shares_honest), 3) if shares_honest else None,
        "seconds": round(time.time() - t0, 1), "load": os.getloadavg(),
    }
    print(json.dumps(out, indent=2, ensure_ascii=False))
    res = ROOT / "bench" / "results"
    res.mkdir(exist_ok=True)
    (res / "reuse_corpus_latest.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
