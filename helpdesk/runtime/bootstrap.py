"""Migration and seeding steps shared by the CLI, the launcher and the tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from helpdesk.core.settings import PROJECT_ROOT


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def migrate_database(revision: str = "head") -> None:
    command.upgrade(alembic_config(), revision)


def seed_if_empty() -> bool:
    from helpdesk.core.settings import get_settings
    from helpdesk.reports import rollups
    from helpdesk.seed.demo import seed_demo

    # The demo organisation's well-known passwords must never exist on a production install.
    if get_settings().environment == "production":
        return False
    seeded = seed_demo()
    if seeded:
        # Reports read rollups; fill them now rather than at the first beat tick.
        rollups.refresh_changed()
        rollups.refresh_monthly_view()
    return seeded
