"""Infrastructure with no business rules: settings, database engines and sessions, the Redis cache, attachment
storage, the mailer, Prometheus metrics, the live bus, background jobs through the outbox, after-commit hooks,
the audit log, idempotency keys, domain errors, input validation, the local text-embedding model and the
domain-event registry. Core may import only helpdesk.models and third-party libraries: every context builds on
it, so it must never know any of them (it only names `helpdesk.subscriptions`, which it loads by name).
"""
