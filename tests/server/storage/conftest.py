"""Each ObjectStore adapter behind a live HTTP endpoint, and a fresh key prefix per test."""
from __future__ import annotations

import uuid

import pytest

from server.storage import MinioStore
from tests.server.storage.servers import real_minio_env, serve_local, serve_moto

REAL_MINIO_SKIP = ("real MinIO not configured: set OUTFALLWATCH_TEST_MINIO_ENDPOINT "
                   "(+ _ACCESS_KEY, _SECRET_KEY, optional _SECURE, _BUCKET)")


@pytest.fixture(scope="session")
def local_store(tmp_path_factory):
    with serve_local(tmp_path_factory.mktemp("objects") / "media") as store:
        yield store


@pytest.fixture(scope="session")
def moto_endpoint():
    with serve_moto() as endpoint:
        yield endpoint


@pytest.fixture
def prefix() -> str:
    return f"media/test/{uuid.uuid4()}/"


@pytest.fixture(params=["local", "moto", "minio"])
async def store(request, prefix):
    """The same contract for every adapter. moto enforces no POST-policy conditions (neither signature nor
    size nor type), so policy enforcement is not tested there: the server verifies objects itself."""
    if request.param == "local":
        s = request.getfixturevalue("local_store")
    elif request.param == "moto":
        s = MinioStore(request.getfixturevalue("moto_endpoint"), access_key="test", secret_key="test",
                       bucket="outfallwatch-test")
    else:
        env = real_minio_env()
        if env is None:
            pytest.skip(REAL_MINIO_SKIP)
        s = MinioStore(env.pop("endpoint"), **env)
    await s.ensure_ready()
    yield s
    async for k in s.keys(prefix):
        await s.delete(k)
