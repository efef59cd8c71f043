"""One typed settings object, read from OUTFALLWATCH_* environment variables."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path


def _bool(v: str | None, default: bool) -> bool:
    if v is None or v == "":
        return default
    return v.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    token_ttl_hours: float = 12.0
    # GraphQL limits: built once into validation rules at start-up.
    max_page: int = 500
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_body_bytes: int = 1_000_000
    # Query cost (server/graphql/cost.py); chosen from bench/query_costs.py: see docs/security.md.
    max_cost: int = 20_000
    # One request may not hold the server: a time budget for its execution, at most this many
    # database sessions at once, a statement timeout on PostgreSQL, and a bounded wait for the pool.
    request_budget_s: float = 15.0
    db_sessions_per_request: int = 4
    statement_timeout_ms: int = 10_000
    pool_size: int = 10
    pool_overflow: int = 10
    pool_timeout_s: float = 5.0
    graphiql: bool = True
    introspection: bool = True
    # Object store: "local" (embedded default) or "minio".
    storage: str = "local"
    minio_endpoint: str | None = None
    minio_access_key: str | None = None
    minio_secret_key: str | None = None
    minio_bucket: str = "outfallwatch"
    minio_secure: bool = False
    # Evidence rules.
    far_threshold_m: float = 200.0
    upload_ttl_minutes: int = 15
    url_ttl_minutes: int = 10
    max_pixels: int = 50_000_000
    image_concurrency: int = 2  # uploads decoded at once per process: bounds decoded memory (images/process.py)
    # Standards: GB 18918-2002 grade for urban sewage plants.
    sewage_grade: str = "1A"
    exceedance_deadline_days: int = 7
    # createTask's deadline when none is given, per kind (tasks.service.DEFAULT_DEADLINE_DAYS otherwise).
    task_deadline_days: tuple[tuple[str, int], ...] = ()
    reminder_hours: int = 24
    # Issue 19 item 8: a task this many days past its deadline (or its last escalation) goes up one
    # supervision level; the city's completion and on-time targets (渝府办发〔2022〕124号, not retrieved:
    # unset means the assessment shows rates without pass/fail). lifecycle.json says so.
    escalate_after_days: int | None = None  # None: lifecycle.json supervision_escalation.default_days
    target_completion_rate: float | None = None
    target_on_time_rate: float | None = None
    # How often a live subscription asks again whether its token still holds (logout, revocation, expiry).
    auth_recheck_s: float = 30.0
    # Events: "memory" (one process), "postgres" (LISTEN/NOTIFY) or "redis".
    events: str = "auto"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Where throttle and rate-limit counters live: "sql" (the database, the default) or "redis"
    # (chosen when OUTFALLWATCH_REDIS_URL is set). Never process memory: every worker must see them.
    throttle_store: str = "sql"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    sms_gateway_url: str | None = None
    background_jobs: bool = True
    job_interval_s: float = 30.0  # how often the scheduler runs its jobs, and others try to take it over
    response_cache: bool = True
    # The response cache is bounded by bytes, not entries (one 29-alias answer was 7.8 MB): at most this
    # much in all, and an answer larger than the entry cap is served but never kept.
    response_cache_bytes: int = 64 * 1024 * 1024
    response_cache_entry_bytes: int = 2 * 1024 * 1024
    # Plain leaf fields completed without graphql-core's per-field machinery (server/graphql/fast_executor.py).
    fast_execution: bool = True
    # Freeze start-up objects out of the collector and collect young objects less often (performance.md).
    tune_gc: bool = True
    # The console's base map: an XYZ raster URL ({z}/{x}/{y}) and its datum; unset = reference layers only.
    tile_url: str | None = None
    tile_crs: str = "WGS84"
    tile_attribution: str = ""
    console_dir: Path | None = None  # the built console (default: console/dist beside the server package)
    # C2PA signing of exported evidence (docs/provenance.md): a PEM chain (signer, then its CA) and the
    # signer's PKCS#8 key; unset = a root and signer made once and kept in data_dir/c2pa.
    c2pa_cert: Path | None = None
    c2pa_key: Path | None = None
    extra: dict = field(default_factory=dict)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "outfallwatch.db"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        """Read OUTFALLWATCH_* variables; fill the embedded defaults for what is unset."""
        e = os.environ if env is None else env

        def g(k: str, default: str) -> str:
            return e.get(f"OUTFALLWATCH_{k}", default)

        def opt(k: str) -> str | None:
            return e.get(f"OUTFALLWATCH_{k}")

        data_dir = Path(g("DATA_DIR", "var"))
        host = g("HOST", e.get("HOST", "127.0.0.1"))
        port = int(g("PORT", e.get("PORT", "8000")))
        minio_endpoint = opt("MINIO_ENDPOINT") or None
        s = cls(
            data_dir=data_dir,
            database_url=g("DATABASE_URL", ""),
            secret_key=g("SECRET_KEY", ""),
            host=host,
            port=port,
            public_url=g("PUBLIC_URL", ""),
            token_ttl_hours=float(g("TOKEN_TTL_HOURS", "12")),
            max_cost=int(g("MAX_COST", "20000")),
            request_budget_s=float(g("REQUEST_BUDGET_S", "15")),
            db_sessions_per_request=int(g("DB_SESSIONS_PER_REQUEST", "4")),
            statement_timeout_ms=int(g("STATEMENT_TIMEOUT_MS", "10000")),
            pool_size=int(g("POOL_SIZE", "10")),
            pool_overflow=int(g("POOL_OVERFLOW", "10")),
            pool_timeout_s=float(g("POOL_TIMEOUT_S", "5")),
            graphiql=_bool(opt("GRAPHIQL"), True),
            introspection=_bool(opt("INTROSPECTION"), True),
            storage=g("STORAGE", "minio" if minio_endpoint else "local"),
            minio_endpoint=minio_endpoint,
            minio_access_key=opt("MINIO_ACCESS_KEY"),
            minio_secret_key=opt("MINIO_SECRET_KEY"),
            minio_bucket=g("MINIO_BUCKET", "outfallwatch"),
            minio_secure=_bool(opt("MINIO_SECURE"), False),
            far_threshold_m=float(g("FAR_THRESHOLD_M", "200")),
            image_concurrency=int(g("IMAGE_CONCURRENCY", "2")),
            sewage_grade=g("SEWAGE_GRADE", "1A"),
            exceedance_deadline_days=int(g("EXCEEDANCE_DEADLINE_DAYS", "7")),
            task_deadline_days=_days_by_kind(g("TASK_DEADLINE_DAYS", "")),
            escalate_after_days=int(g("ESCALATE_AFTER_DAYS", "")) if g("ESCALATE_AFTER_DAYS", "") else None,
            target_completion_rate=_rate(g("TARGET_COMPLETION_RATE", "")),
            target_on_time_rate=_rate(g("TARGET_ON_TIME_RATE", "")),
            events=g("EVENTS", "auto"),
            redis_url=g("REDIS_URL", "redis://127.0.0.1:6379/0"),
            throttle_store=g("THROTTLE_STORE", "redis" if opt("REDIS_URL") else "sql"),
            webhook_url=opt("WEBHOOK_URL") or None,
            webhook_secret=opt("WEBHOOK_SECRET") or None,
            sms_gateway_url=opt("SMS_GATEWAY_URL") or None,
            background_jobs=_bool(opt("BACKGROUND_JOBS"), True),
            job_interval_s=float(g("JOB_INTERVAL_S", "30")),
            response_cache=_bool(opt("RESPONSE_CACHE"), True),
            response_cache_bytes=int(g("RESPONSE_CACHE_BYTES", str(64 * 1024 * 1024))),
            response_cache_entry_bytes=int(g("RESPONSE_CACHE_ENTRY_BYTES", str(2 * 1024 * 1024))),
            fast_execution=_bool(opt("FAST_EXECUTION"), True),
            tune_gc=_bool(opt("TUNE_GC"), True),
            tile_url=opt("TILE_URL") or None,
            tile_crs=_tile_crs(g("TILE_CRS", "WGS84")),
            tile_attribution=g("TILE_ATTRIBUTION", ""),
            console_dir=Path(console_dir) if (console_dir := opt("CONSOLE_DIR")) else None,
            c2pa_cert=Path(c2pa_cert) if (c2pa_cert := opt("C2PA_CERT")) else None,
            c2pa_key=Path(c2pa_key) if (c2pa_key := opt("C2PA_KEY")) else None,
        )
        if overrides:
            s = replace(s, **overrides)
        return s.resolved()

    def resolved(self) -> "Settings":
        """Fill derived defaults: SQLite URL, public URL, a persisted secret for the embedded run."""
        s = self
        if not s.database_url:
            s = replace(s, database_url=f"sqlite+aiosqlite:///{s.sqlite_path}")
        if not s.public_url:
            s = replace(s, public_url=f"http://{s.host}:{s.port}")
        if not s.secret_key:
            s = replace(s, secret_key=_persisted_secret(s.data_dir))
        return s


def _tile_crs(v: str) -> str:
    v = v.strip().upper().replace("-", "")
    if v not in ("WGS84", "GCJ02"):
        # CGCS2000 tiles (天地图) line up with WGS-84 at map scale; BD-09 tiles are not supported.
        raise ValueError(f"OUTFALLWATCH_TILE_CRS must be WGS84 or GCJ02, got {v!r}")
    return v


def _persisted_secret(data_dir: Path) -> str:
    # The embedded default keeps its signing key beside its data, so tokens survive restarts.
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _days_by_kind(raw: str) -> tuple[tuple[str, int], ...]:
    """OUTFALLWATCH_TASK_DEADLINE_DAYS="ILLEGAL_DISCHARGE=3,FLOATING_DEBRIS=2" -> ((kind, days), ...)."""
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        kind, _, days = part.partition("=")
        if not days.strip().isdigit() or int(days) < 1:
            raise ValueError(f"OUTFALLWATCH_TASK_DEADLINE_DAYS: {part!r} is not KIND=days")
        out[kind.strip()] = int(days)
    return tuple(out.items())


def _rate(v: str | None) -> float | None:
    """A target rate in [0, 1] (e.g. 0.95), or None when unset."""
    if v is None or not v.strip():
        return None
    r = float(v)
    if not 0 <= r <= 1:
        raise ValueError(f"a target rate is between 0 and 1, got {v}")
    return r
