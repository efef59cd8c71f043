"""Human labels for the register's enums, read from domain.json (HJ 1312, 查测溯治)."""
from __future__ import annotations

from functools import lru_cache

from server.reference import domain

# API enum -> the top-level HJ 1312-2023 category id in domain.json.
CATEGORY_IDS = {"INDUSTRIAL": "industrial", "URBAN_SEWAGE_PLANT": "urban_wwtp",
                "AGRICULTURAL": "agricultural", "OTHER": "other"}
PHASE_KEYS = {"SURVEYED": "cha", "MONITORED": "ce", "TRACED": "su", "REMEDIATED": "zhi"}
STATUS_LABELS = {"ACTIVE": "在用", "CLOSED": "已关闭"}


@lru_cache(maxsize=1)
def category_labels() -> dict[str, str]:
    by_id = {c["id"]: c["name_zh"] for c in domain()["outfall_categories"]}
    return {k: by_id[v] for k, v in CATEGORY_IDS.items()}


@lru_cache(maxsize=1)
def phase_labels() -> dict[str, str]:
    by_key = {p["key"]: f'{p["short_zh"]} {p["name_zh"]}' for p in domain()["phases"]}
    return {k: by_key[v] for k, v in PHASE_KEYS.items()}


@lru_cache(maxsize=1)
def subtypes() -> dict[str, str]:
    """Every HJ 1312 subtype id (e.g. industrial.mining_enterprise.factory) -> its Chinese name."""
    out: dict[str, str] = {}

    def walk(nodes):
        for n in nodes:
            out[n["id"]] = n["name_zh"]
            walk(n.get("children") or [])

    walk(domain()["outfall_categories"])
    return out
