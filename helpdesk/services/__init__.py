"""The domain layer: every door (Reflex events, REST API, Celery tasks, e-mail) calls in here."""
