"""An XLSX export leaves no file behind, however it ends (issue 12 item 5): rows that fail mid-way, a save
that fails, a client that goes away mid-download, and a whole export. Each failed export used to leave
its temp file (and openpyxl's sheet spool) in the temp folder for good.

The temp folder is pointed at an empty directory per test, so "nothing left" is exact.
"""
from __future__ import annotations

import tempfile

import pytest
from openpyxl import Workbook

from server.register_io import exporter


@pytest.fixture
def tmpdir_(tmp_path, monkeypatch):
    d = tmp_path / "tmp"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    return d


async def rows(n_batches: int, fail_at: int | None = None):
    for b in range(n_batches):
        if b == fail_at:
            raise RuntimeError("the database went away")
        yield [[f"排口{b}-{i}", i, 1.5 * i, "=1+1"] for i in range(200)]


async def drain(gen, stop_after: int | None = None) -> int:
    n = 0
    async for _ in gen:
        n += 1
        if stop_after is not None and n >= stop_after:
            await gen.aclose()
            break
    return n


async def test_rows_failing_mid_way_leave_nothing(tmpdir_):
    with pytest.raises(RuntimeError):
        await drain(exporter._xlsx("t", ["a", "b", "c", "d"], rows(5, fail_at=3)))
    assert list(tmpdir_.iterdir()) == []


async def test_a_failed_save_leaves_nothing(tmpdir_, monkeypatch):
    def broken(self, filename):
        open(filename, "wb").write(b"PK partial")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken)
    with pytest.raises(OSError):
        await drain(exporter._xlsx("t", ["a", "b", "c", "d"], rows(3)))
    assert list(tmpdir_.iterdir()) == []


async def test_a_client_gone_mid_download_leaves_nothing(tmpdir_):
    gen = exporter._xlsx("t", ["a", "b", "c", "d"], rows(40))
    assert await drain(gen, stop_after=1) == 1
    assert list(tmpdir_.iterdir()) == []


async def test_a_whole_export_leaves_nothing(tmpdir_):
    assert await drain(exporter._xlsx("t", ["a", "b", "c", "d"], rows(3))) >= 1
    assert list(tmpdir_.iterdir()) == []


async def test_over_http_a_failing_export_leaves_nothing(tmpdir_, gql, client, users, monkeypatch):
    sup = await gql.as_("supervisor")

    async def failing(*a, **kw):
        yield [["ok"] * len(exporter.EXPORT_HEADERS)]
        raise RuntimeError("injected mid-stream")

    monkeypatch.setattr(exporter, "_register_rows", failing)
    with pytest.raises(RuntimeError):  # the headers went out with the first chunk; the stream then breaks
        await client.get("/export/outfalls.xlsx", headers={"Authorization": f"Bearer {sup.token}"})
    assert list(tmpdir_.iterdir()) == []
