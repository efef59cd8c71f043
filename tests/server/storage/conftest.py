"""Each ObjectStore adapter behind a live HTTP endpoint, and a fresh key prefix per test."""
from __future__ import annotations

import uuid

import pytest

from server.storage import MinioStore
from tests.server.storage.servers import real_minio_env, serve_local, serve_moto, serve_seaweedfs


@pytest.fixture(scope="session")
def local_store(tmp_path_factory):
    with serve_local(tmp_path_factory.mktemp("objects") / "media") as store:
        yield store


@pytest.fixture(scope="session")
def moto_endpoint():
    with serve_moto() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def enforcing_s3(tmp_path_factory):
    """An S3 server that judges signatures, expiry and POST policies as MinIO does: the MinIO named by
    OUTFALLWATCH_TEST_MINIO_* when set, else SeaweedFS started here (docs/s3-testing.md)."""
    env = real_minio_env()
    if env is not None:
        yield env
        return
    with serve_seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as env:
        yield env


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
        env = dict(request.getfixturevalue("enforcing_s3"))
        s = MinioStore(env.pop("endpoint"), **env)
    await s.ensure_ready()
    yield s
    async for k in s.keys(prefix):
        await s.delete(k)
