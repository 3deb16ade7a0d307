"""One typed settings object, read from the environment (and an optional .env file).

Every variable is documented in README.md. Import `get_settings()` rather than
building `Settings()` so the whole process shares one parsed copy.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-insecure-secret-change-me"
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = Field(
        "development", validation_alias="HELPDESK_ENV"
    )
    secret_key: str = DEFAULT_SECRET_KEY

    # Data stores. Empty means "start the embedded servers" (launcher only).
    database_url: str = ""
    database_read_url: str = ""
    redis_url: str = ""
    redis_prefix: str = "helpdesk:"
    # Read replica (DATABASE_READ_URL): used for lists, counts, reports and search while it streams and replays
    # less than this far behind (checked at most every replica_check_seconds per process); a person who wrote in
    # the last read_your_writes_seconds reads from the primary.
    replica_max_lag_seconds: float = Field(5.0, gt=0)
    replica_check_seconds: float = Field(1.0, gt=0)
    read_your_writes_seconds: int = Field(10, ge=1)
    db_pool_size: int = 10
    db_max_overflow: int = 10
    # A request waits at most this long for a pooled connection, then gets 503: shorter than any client timeout.
    db_pool_timeout_seconds: float = Field(5.0, gt=0, le=60)
    # Statements running longer than this are cancelled by PostgreSQL (0 = no limit).
    db_statement_timeout_ms: int = Field(30_000, ge=0)
    # A pooled connection idle for longer than this is checked with a ping before use (0: before every use).
    db_ping_after_idle_seconds: float = Field(2.0, ge=0)

    data_dir: Path = PROJECT_ROOT / "data"

    # Web
    web_port: int = 3000
    public_url: str = "http://localhost:3000"
    cors_origins: list[str] = ["http://localhost:3000"]
    web_workers: int = 2
    # A web process logs where its event loop is stuck once the loop has not run for this long (0 = off).
    loop_stall_seconds: float = Field(2.0, ge=0)
    # Admission control (helpdesk/api/admission.py): REST requests served at once per web process, how many more
    # may wait for a slot, and for how long, before the answer is a fast 503 with Retry-After. Keep
    # api_max_in_flight below db_pool_size + db_max_overflow so the pages' own queries always find a connection.
    # A request waits at most api_queue_wait_ms for a slot. A request whose expected wait is longer is refused at
    # once; once every request leaving the queue for api_overload_after_ms had waited longer than
    # api_queue_target_ms, the process is past capacity and that limit on the expected wait drops to
    # api_overload_queue_wait_ms (CoDel's idea: a standing queue is overload, a queue that comes and goes is a burst).
    api_max_in_flight: int = Field(6, ge=1, le=200)
    api_max_queued: int = Field(48, ge=0)
    api_queue_wait_ms: int = Field(1000, ge=0, le=30_000)
    api_queue_target_ms: int = Field(50, ge=0, le=30_000)
    api_overload_after_ms: int = Field(300, ge=0, le=30_000)
    api_overload_queue_wait_ms: int = Field(400, ge=0, le=30_000)
    # On SIGTERM the web server finishes what is in flight and exits; past this many seconds it is killed. Keep it
    # below the orchestrator's grace period (Kubernetes: terminationGracePeriodSeconds minus the preStop sleep).
    web_shutdown_timeout_seconds: float = Field(25.0, gt=0, le=300)
    # On SIGTERM a Celery worker stops taking jobs and lets running ones finish for this long; then it cancels them
    # and hands them back to the queue (acknowledged late), so another worker runs them.
    worker_shutdown_grace_seconds: float = Field(20.0, ge=0, le=3600)
    # Background jobs (AI triage, e-mail, reports) give way to people's requests where they share cores with the web
    # server (`make run`, one machine): the worker lowers its CPU priority by this much (nice; 0 = as the web).
    # Where it runs alone (its own container or pod) this changes nothing.
    worker_nice: int = Field(10, ge=0, le=19)
    # Celery workers in their own container/pod serve Prometheus figures on this port (0 = off).
    worker_metrics_port: int = Field(0, ge=0, le=65535)

    # Auth
    session_ttl_seconds: int = 12 * 3600
    # However active a session stays, it ends this long after sign-in (the sliding TTL never goes past it).
    session_max_age_seconds: int = Field(7 * 24 * 3600, ge=300)
    login_max_failures: int = 5
    login_window_seconds: int = 15 * 60
    # Proxies (IP addresses or CIDR ranges) whose X-Forwarded-For is believed: the client address for the login
    # limits and the audit log is then the last address in the header that is not one of them. Empty: the peer.
    trusted_proxies: list[str] = []

    # Single sign-on (OpenID Connect, helpdesk/identity/sso.py). An empty issuer turns it off. The provider's
    # endpoints and keys come from its discovery document; the callback is PUBLIC_URL + /api/v1/auth/sso/callback.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_scopes: str = "openid email profile"
    # Shown on the sign-in page as "Sign in with <name>".
    oidc_provider_name: str = "single sign-on"
    # The claim that lists the person's groups, and what those groups mean here: {"group": "role"} (the highest
    # role a person's groups name wins; nobody matched gets oidc_default_role) and {"group": "team name"}.
    oidc_groups_claim: str = "groups"
    oidc_role_map: dict[str, str] = {}
    oidc_team_map: dict[str, str] = {}
    oidc_default_role: Literal["requester", "agent", "manager", "admin"] = "requester"

    # Business
    timezone: str = "Asia/Karachi"
    organisation_name: str = "Acme Corp IT"
    # Resolved tickets nobody reopened are closed by the daily `maintenance.close_resolved` job after this many days.
    auto_close_days: int = Field(7, ge=1)

    # E-mail (outbound). Empty host disables sending (messages are logged).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "IT Helpdesk <helpdesk@localhost>"

    # E-mail (inbound channel, helpdesk/email). Authentication-Results headers count only when written by one of
    # these authserv-ids (our own MTA): anyone can put such a header in a message they send.
    email_trusted_authserv_ids: list[str] = []
    # When a requester's From is trusted: "aligned" = DMARC pass, or DKIM/SPF pass aligned with the From domain;
    # "dmarc" = DMARC pass only; "off" = always (only behind an MTA that rejects unauthenticated mail itself).
    email_sender_verification: Literal["aligned", "dmarc", "off"] = "aligned"
    # A message whose sender could not be verified: held for an administrator to accept, or dropped politely.
    email_unverified_action: Literal["hold", "reject"] = "hold"
    # Unknown senders from these domains become requesters; others are rejected politely (or held).
    email_allowed_domains: list[str] = []
    email_unknown_sender_action: Literal["reject", "hold"] = "reject"
    # Messages one sender may file per hour before the rest are held (a mail loop or a flood).
    email_rate_limit_per_hour: int = Field(30, ge=1)
    # Bearer token for POST /api/v1/email/inbound (an MTA piping raw messages); empty turns the endpoint off.
    email_ingest_token: SecretStr = SecretStr("")
    # Beat polls every mailbox this often; where the server offers IMAP IDLE the poll then waits for new mail
    # for up to email_idle_seconds before it hands over to the next poll.
    email_poll_seconds: float = Field(30.0, gt=0)
    email_idle_seconds: float = Field(25.0, ge=0)

    # Attachments: "local" keeps bytes under data_dir/attachments, "s3" uses boto3.
    storage_backend: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    max_attachment_bytes: int = 10 * 1024 * 1024
    # Defaults of the attachment quotas (administrators change them in the console): all files on one ticket, and
    # what one person may upload in 24 hours, in MB.
    attachment_ticket_quota_mb: int = Field(100, ge=1, le=1_000_000)
    attachment_daily_quota_mb: int = Field(500, ge=1, le=1_000_000)
    # Defaults of the per-person rate limits (console too): tickets filed, comments written and files uploaded in
    # an hour; past it the answer is 429 with Retry-After (pages show when to try again). Counted in Redis.
    rate_limit_tickets_per_hour: int = Field(20, ge=1, le=1_000_000)
    rate_limit_comments_per_hour: int = Field(120, ge=1, le=1_000_000)
    rate_limit_uploads_per_hour: int = Field(60, ge=1, le=1_000_000)

    # AI triage: a suggested field is set on the ticket by itself only when its confidence is above this (and no
    # person has set that field); 1.0 turns automatic changes off and leaves suggestions only.
    ai_auto_apply_threshold: float = Field(0.85, ge=0.0, le=1.0)
    # The weekly retraining job trains a candidate only when at least this many resolved/closed tickets have a
    # category a person set or confirmed.
    ai_retrain_min_tickets: int = Field(200, ge=10)
    # Which model names a ticket's category: "organisation" learns this helpdesk's own categories (cold start from
    # their names, descriptions and help articles, then every category a person sets or confirms); "shipped" maps the
    # shipped model's eight labels to categories of the same name (right only where the categories are those eight).
    ai_category_model: Literal["organisation", "shipped"] = "organisation"
    # "earned": every category starts suggest-only and a (category, field) is set automatically only once its
    # precision on this helpdesk's own human-confirmed tickets is proven (Wilson lower bound above the target);
    # "threshold": any confidence above AI_AUTO_APPLY_THRESHOLD is applied (the behaviour before issue #16).
    ai_auto_apply_policy: Literal["earned", "threshold"] = "earned"
    # Earned auto-apply: the precision to prove, how sure (one-sided z of the Wilson bound), the fewest judged
    # confident predictions, the rolling window of the newest ones, and how far below the target the bound may fall
    # before a category goes back to suggest-only (so one mistake right after earning does not flip it).
    ai_auto_apply_target: float = Field(0.95, gt=0.0, lt=1.0)
    ai_auto_apply_z: float = Field(1.645, gt=0.0)
    ai_auto_apply_min_evidence: int = Field(30, ge=1)
    ai_auto_apply_window: int = Field(200, ge=10)
    ai_auto_apply_demote_margin: float = Field(0.05, ge=0.0, lt=1.0)
    # Confidence bands above the threshold, each earning auto-apply on the evidence of the predictions made in it
    # (comma-separated lower edges; with the default threshold 0.85: 0.85-0.95, 0.95-0.99 and above 0.99). A
    # category's surest predictions are right more often than its borderline ones; pooled, the borderline ones
    # would keep the surest from ever proving themselves, and the surest would vouch for the borderline ones.
    ai_auto_apply_bands: str = Field("0.95,0.99", pattern=r"^\s*(0?\.\d+\s*(,\s*0?\.\d+\s*)*)?$")

    # Optional LLM provider (an OpenAI-compatible endpoint) for thread summaries and suggested replies.
    # An empty base URL turns it off: nothing is shown and nothing is called.
    llm_base_url: str = ""
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_seconds: float = Field(20.0, gt=0, le=120)

    # Knowledge-base search also ranks by meaning (local embedding model + pgvector) where the database has pgvector;
    # false keeps it lexical everywhere.
    kb_semantic_search: bool = True

    # Audit log: monthly partitions older than this many months are archived to storage and dropped (0 keeps all).
    audit_retention_months: int = Field(0, ge=0)
    audit_retention_action: Literal["archive", "drop"] = "archive"

    # Prometheus figures of the web process (GET /metrics): with a token set, only `Authorization: Bearer <token>`
    # reads them (401 otherwise); without one they are open in development and tests and off (404) in production.
    metrics_token: SecretStr = SecretStr("")
    # The REST API's interactive docs (/api/docs, /api/openapi.json): unset means on, except with
    # HELPDESK_ENV=production, where they are off unless API_DOCS=true.
    api_docs: bool | None = None

    # Celery
    celery_always_eager: bool = False

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError(
                "SECRET_KEY must be set to a long random value when HELPDESK_ENV=production"
            )
        return self

    @property
    def api_docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    @property
    def read_database_url(self) -> str:
        return self.database_read_url or self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
