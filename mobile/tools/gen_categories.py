"""Write mobile/assets/hj1312_categories.json from the server's vendored domain.json.

The phone does not ship the server package, so the HJ 1312-2023 subtype tree it offers in the
register form is bundled as data. A test checks the bundle still matches domain.json.
    python mobile/tools/gen_categories.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "server" / "reference" / "domain.json"
OUT = ROOT / "mobile" / "assets" / "hj1312_categories.json"
CATEGORY_IDS = {"INDUSTRIAL": "industrial", "URBAN_SEWAGE_PLANT": "urban_wwtp",
                "AGRICULTURAL": "agricultural", "OTHER": "other"}


def build(domain: dict) -> dict:
    """{API category: [{id, name_zh, name_en, depth}]} — every subtype below the category, in order."""
    by_id = {c["id"]: c for c in domain["outfall_categories"]}
    out = {}
    for api, cid in CATEGORY_IDS.items():
        rows: list[dict] = []

        def walk(nodes, depth):
            for n in nodes:
                rows.append({"id": n["id"], "name_zh": n["name_zh"], "name_en": n["name_en"], "depth": depth})
                walk(n.get("children") or [], depth + 1)

        walk(by_id[cid].get("children") or [], 1)
        out[api] = rows
    return out


def render(domain: dict) -> str:
    return json.dumps(build(domain), ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    OUT.write_text(render(json.loads(DOMAIN.read_text(encoding="utf-8"))), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
