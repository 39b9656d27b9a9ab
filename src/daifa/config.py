"""Settings from the environment (a .env file may supply them), built once and passed in."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/daifa.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DAIFA_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    var_dir: Path = Path("./var")
    default_locale: str = "zh_CN"
    display_timezone: str = "Asia/Shanghai"
    session_days: int = 30
    # A console session ends after this long without a request (each request moves it on),
    # and session_days after sign-in whatever happens.
    console_idle_minutes: int = Field(default=120, ge=1)
    invitation_default_hours: int = 168
    application_ttl_days: int = 7
    max_pending_applications: int = 20
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = 900
    login_lockout_seconds: int = 60
    cookie_secure: bool = False
    password_profile: str = "rfc_9106_low_memory"
    worker_poll_seconds: float = 2.0
    embedded_worker: bool = False  # `daifa serve --with-worker` sets it
    sweep_interval_seconds: float = 60.0
    # A claimed job is the claiming worker's for this long; the worker renews the lease while
    # the job runs, so only a worker that died (or lost the database) lets it lapse, and
    # another takes the job over once it has.
    job_lease_seconds: float = Field(default=300.0, gt=0)
    # On SIGTERM/SIGINT a worker stops claiming and gives its running jobs this long to end;
    # those still running are queued again, the attempt not counted. Keep systemd's
    # TimeoutStopSec above it.
    worker_grace_seconds: float = Field(default=30.0, ge=0)
    # Database connections an API process keeps open; it opens more, up to one per thread of
    # the pool its sync endpoints run on, when they are all busy (db.engine.API_THREADS).
    db_pool_size: int = Field(default=10, ge=1)
    # Fulfilment: hours a supplier has to accept a new dispatch order before it goes to a backup,
    # and how many full recipients (API, labels) one supplier may see per day (Asia/Shanghai).
    accept_within_hours: int = Field(default=24, ge=1)
    recipient_reveals_per_day: int = Field(default=500, ge=0)
    # Outbound webhooks: private/loopback targets are refused unless allowed (tests, intranets).
    webhook_allow_private: bool = False
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    # Inbound tracking webhooks: providers accepted at /api/v1/tracking/webhooks/{provider} and
    # their HMAC secret (empty: one derived per provider from secret_key).
    tracking_providers: list[str] = Field(default_factory=lambda: ["sandbox"])
    tracking_webhook_secret: str = ""
    # After-sales: days after delivery in which a case may be opened (the same clock completes
    # dispatch orders), hours a supplier has to answer before it is deemed to approve, days the
    # buyer has to send a return once approved, days to escalate a rejection before it stands.
    after_sales_window_days: int = Field(default=7, ge=0)
    after_sales_reply_hours: int = Field(default=48, ge=1)
    after_sales_return_days: int = Field(default=7, ge=1)
    after_sales_escalate_days: int = Field(default=7, ge=1)
    # Evidence files (photos, PDFs): where they are kept (default var/evidence), bytes per file,
    # files per case, and the pixels a photo may decode to.
    evidence_dir: Path | None = None
    evidence_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    evidence_per_case: int = Field(default=20, ge=1)
    evidence_max_megapixels: int = Field(default=50, ge=1)
    # The sandbox tracking provider moves every parcel along on a schedule: minutes from
    # shipping to 已揽收, then to 运输中, 派件中 and 已签收. Off unless asked for (the demo does):
    # on a real installation it would mark every parcel delivered hours after shipping.
    tracking_sandbox: bool = False
    tracking_sandbox_minutes: list[int] = Field(default_factory=lambda: [30, 30, 120, 60],
                                                min_length=4, max_length=4)

    # The audit trail is chained (audit.chain) once its rows are this old: long enough for any
    # transaction still writing rows to have committed.
    audit_seal_after_seconds: int = Field(default=60, ge=0)

    # Spreadsheet uploads (products, orders, shipments): rows per file, blank ones included,
    # and bytes per upload.
    sheet_max_rows: int = Field(default=200_000, ge=1)
    upload_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    # What a workbook may unpack to, and how long reading and checking one file may take.
    sheet_max_unpacked_bytes: int = Field(default=256 * 1024 * 1024, ge=1024 * 1024)
    sheet_time_budget_seconds: int = Field(default=60, ge=1)
    # The console lands a file with at least this many rows in the background, with progress.
    sheet_background_rows: int = Field(default=5000, ge=1)
    # Any other request body (JSON, forms): bytes, refused with 413 before it is read whole.
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    # Log lines: one JSON object each, or aligned text for a terminal (`make run` uses text).
    log_format: Literal["json", "text"] = "json"
    # Seconds a request may spend on the database (503 REQUEST_TIME_EXCEEDED after); a
    # spreadsheet upload gets longer. PostgreSQL also cancels any one statement running longer
    # than the upload budget.
    request_time_budget_seconds: int = Field(default=30, ge=1)
    upload_time_budget_seconds: int = Field(default=300, ge=1)
    # Orders: how far back a payment time may lie, and how far ahead of the clock (skew).
    paid_at_max_age_days: int = Field(default=90, ge=1)
    paid_at_max_skew_minutes: int = Field(default=10, ge=0)

    # Per-tenant rate limit of the API (a token bucket per shop or supplier API key, per account
    # for session tokens): tokens added per second (0 turns the limit off), the bucket's size,
    # and what a request takes from it: 1 for a read (GET, HEAD), write_cost for anything else.
    rate_limit_per_second: float = Field(default=50.0, ge=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    rate_limit_write_cost: int = Field(default=2, ge=1)
    # Where the buckets live: `memory` (this process only: right for SQLite, which is served
    # by one process), `redis` (DAIFA_REDIS_URL; recommended with PostgreSQL), `database` (one
    # UPSERT per request; PostgreSQL without Redis). `auto`: memory on SQLite, else redis when
    # DAIFA_REDIS_URL is set, else database.
    rate_limit_store: Literal["auto", "memory", "database", "redis"] = "auto"
    redis_url: str = ""
    redis_prefix: str = "daifa:"  # keys are <prefix>rl:<tenant>
    # GET /metrics: empty answers loopback clients only; set, it wants this Bearer token.
    metrics_token: str = ""

    @model_validator(mode="after")
    def _write_fits_bucket(self) -> Settings:
        if self.rate_limit_write_cost > self.rate_limit_burst:
            raise ValueError("rate_limit_write_cost must not exceed rate_limit_burst: "
                             "no write could ever pass")
        return self

    def resolved_rate_limit_store(self) -> Literal["memory", "database", "redis"]:
        if self.rate_limit_store != "auto":
            return self.rate_limit_store
        if self.database_url.startswith("sqlite"):
            return "memory"
        return "redis" if self.redis_url else "database"

    def resolved_secret_key(self) -> str:
        """The configured secret, else one generated into var/ on first run and reused after."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key

    def evidence_path(self) -> Path:
        return self.evidence_dir or self.var_dir / "evidence"

    def with_secret(self) -> Settings:
        return self.model_copy(update={"secret_key": self.resolved_secret_key()})


def load_settings(**overrides: object) -> Settings:
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if settings.database_url.startswith("sqlite:///./"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    return settings.with_secret()
