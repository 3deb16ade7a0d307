"""Alembic environment: the database URL comes from helpdesk settings."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import helpdesk.models  # noqa: F401  (registers every table on the metadata)
from helpdesk.core.db import write_engine

target_metadata = SQLModel.metadata


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # Monthly audit_logs partitions are created at run time, not declared as models.
    table = getattr(obj, "table", obj) if type_ == "index" else obj
    table_name = getattr(table, "name", name) or ""
    return not (reflected and table_name.startswith("audit_logs_"))


def run_migrations_online() -> None:
    with write_engine().connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, compare_type=True, include_object=include_object
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `helpdesk migrate`")
run_migrations_online()
