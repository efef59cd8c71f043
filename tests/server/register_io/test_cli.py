"""`outfallwatch import-outfalls`, run as an operator would."""
from __future__ import annotations

from tests.server.register_io.test_import import BAD_ROWS, EN, good
from tests.server.register_io.conftest import write_csv
from tests.server.test_cli import run


def test_import_outfalls_command(tmp_path):
    assert run(["migrate"], tmp_path).returncode == 0
    r = run(["import-outfalls", "--help"], tmp_path)
    assert r.returncode == 0 and "--dry-run" in r.stdout and "--skip-bad" in r.stdout
    bad = write_csv(tmp_path / "bad.csv", [EN, *(row for row, _ in BAD_ROWS)])

    r = run(["import-outfalls", str(bad), "--dry-run"], tmp_path)
    assert r.returncode == 1 and "line 3: CQ-0002: unknown district '渝东区'" in r.stdout
    assert sum(line.startswith("line ") for line in r.stdout.splitlines()) == 14
    assert "dry run:" in r.stdout and r.stderr.startswith("error: 14 bad rows; nothing imported")

    r = run(["import-outfalls", str(bad)], tmp_path)  # all or nothing
    assert r.returncode == 1 and "nothing written" in r.stdout

    report = tmp_path / "report.csv"
    r = run(["import-outfalls", str(bad), "--skip-bad", "--report", str(report)], tmp_path)
    assert r.returncode == 0 and "2 created, 0 updated, 0 unchanged; 14 bad rows skipped" in r.stdout, r.stderr
    assert report.read_text(encoding="utf-8-sig").splitlines()[1].startswith("3,CQ-0002,")

    ok = write_csv(tmp_path / "ok.csv", [EN, *(good(i) for i in range(1, 6))])
    assert "4 created, 0 updated, 1 unchanged" in run(["import-outfalls", str(ok)], tmp_path).stdout
    r = run(["import-outfalls", str(ok)], tmp_path)
    assert r.returncode == 0 and r.stdout.strip().endswith("0 created, 0 updated, 5 unchanged")

    r = run(["import-outfalls", str(tmp_path / "missing.xlsx")], tmp_path)
    assert r.returncode == 1 and r.stderr.strip() == f"error: no such file: {tmp_path / 'missing.xlsx'}"
