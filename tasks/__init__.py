"""Celery tasks: each one calls the domain layer in helpdesk.services."""
