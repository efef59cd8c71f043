"""Write mobile/core/limits_table.json: the server's limit rows and the part of its lifecycle rules
(server/reference/lifecycle.json) the phone needs to judge readings offline as the server does.

The phone does not ship the server package, so these are bundled as data; tests/mobile/test_limits.py
fails when the bundle no longer equals what this builds.
    python mobile/tools/gen_limits_table.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "mobile" / "core" / "limits_table.json"


def build() -> dict:
    sys.path.insert(0, str(ROOT))
    from server.domain.standards.applicable import _TABLES, STANDARDS, STORMWATER_SUBTYPES
    from server.domain.standards.limits import BOUNDS, UNITS, limits_table
    from server.reference import lifecycle

    ref = lifecycle()
    return {
        "source": "server.domain.standards.limits_table(sewage_grade=None) from domain.json; lifecycle from "
                  "server/reference/lifecycle.json (mobile/tools/gen_limits_table.py)",
        "units": dict(UNITS),
        "bounds": {k: [float(a), float(b)] for k, (a, b) in BOUNDS.items()},
        "rows": limits_table(sewage_grade=None),
        "lifecycle": {
            "tables": dict(_TABLES),  # standard key -> the table its limits are in
            "standards": {k: {"no": v.get("no"), "name_zh": v["name_zh"], "grades": v["grades"]}
                          for k, v in STANDARDS.items()},
            "stormwater_subtypes": sorted(STORMWATER_SUBTYPES),
            "receiving_targets": {t["river"]: t["target_class"] for t in ref["receiving_targets"]},
        },
    }


def render() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=0) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
