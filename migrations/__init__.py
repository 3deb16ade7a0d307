"""Alembic migrations, shipped in the wheel so `helpdesk migrate` finds them in an installed package."""
