"""schema.graphql is generated from the code and honours the public contract."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from server.graphql.schema import create_schema
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT.parent / "shared" / "tools" / "contract_check.py"


def test_schema_file_matches_code():
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == create_schema(Settings()).as_str() + "\n", \
        "schema.graphql is stale: run `outfallwatch export-schema`"


@pytest.mark.skipif(not CHECKER.exists(), reason="shared/tools/contract_check.py not beside the repo")
def test_contract_holds():
    r = subprocess.run([sys.executable, str(CHECKER), str(ROOT / "schema.graphql")], capture_output=True, text=True)
    breaches = [line for line in r.stdout.splitlines() if not line.startswith("contract:")]
    from tests.server.contract_scope import UNBUILT

    unexpected = [b for b in breaches if not any(b.startswith(p) or f" {p}" in b for p in UNBUILT)]
    assert unexpected == [], "\n".join(unexpected)
