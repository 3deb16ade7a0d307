"""Migration and seeding steps shared by the CLI, the launcher and the tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import command
from alembic.config import Config

from helpdesk.core.settings import PROJECT_ROOT


def migrations_folder() -> Path:
    """The checkout's migrations/, or the `migrations` package installed with the wheel (no checkout in an image)."""
    if (PROJECT_ROOT / "migrations" / "env.py").is_file():
        return PROJECT_ROOT / "migrations"
    spec = importlib.util.find_spec("migrations")
    if spec and spec.origin and (Path(spec.origin).parent / "env.py").is_file():
        return Path(spec.origin).parent
    raise RuntimeError("the Alembic migrations are neither in the checkout nor installed")


def alembic_config() -> Config:
    ini = PROJECT_ROOT / "alembic.ini"
    config = Config(str(ini) if ini.is_file() else None)
    config.set_main_option("script_location", str(migrations_folder()))
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
