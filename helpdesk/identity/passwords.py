"""Password hashing with argon2id (argon2-cffi: maintained, memory-hard, sane defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id parameters (19 MiB, 2 iterations, 1 lane): about a fifth of argon2-cffi's defaults' CPU per
# login, still memory-hard. Hashes made with other parameters are rehashed at the next successful sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 10

# Verifying against this keeps a login for an unknown e-mail as slow as a real one,
# so response times do not reveal which addresses have accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def usable(password_hash: str | None) -> bool:
    """False for accounts with no password: invited but not yet set, service accounts, SSO-only people."""
    return bool(password_hash) and not password_hash.startswith("!")


def verify_password(password_hash: str | None, password: str) -> bool:
    # An account without a usable password is checked against the dummy too: as slow as a real one.
    real = usable(password_hash)
    try:
        return _hasher.verify(password_hash if real else _DUMMY_HASH, password) and real
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
