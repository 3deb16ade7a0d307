"""Idempotent creates: a retried request with the same Idempotency-Key gets the first response.

The key row is inserted in the same transaction as the ticket, so a concurrent retry
waits on the unique index and then sees the committed answer, never a second ticket.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from helpdesk.core.errors import Conflict, ValidationFailed
from helpdesk.models import IdempotencyKey
from helpdesk.models.base import utcnow

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]
    replayed: bool


def fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    session: Session,
    user_id: int,
    key: str,
    payload: dict[str, Any],
    create: Callable[[], tuple[int, dict[str, Any]]],
) -> StoredResponse:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed({"Idempotency-Key": f"Use a key of 1 to {MAX_KEY_LENGTH} characters."})
    request_fingerprint = fingerprint(payload)
    claimed = session.execute(
        insert(IdempotencyKey)
        .values(user_id=user_id, key=key, request_fingerprint=request_fingerprint, status_code=0,
                created_at=utcnow())
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    ).first()
    if claimed is None:
        row = session.execute(
            text("SELECT request_fingerprint, status_code, response_body FROM idempotency_keys "
                 "WHERE user_id = :u AND key = :k"),
            {"u": user_id, "k": key},
        ).one()
        if row.request_fingerprint != request_fingerprint:
            raise Conflict("This Idempotency-Key was already used with a different request body.")
        return StoredResponse(row.status_code, row.response_body or {}, replayed=True)
    status_code, body = create()
    session.execute(
        text("UPDATE idempotency_keys SET status_code = :s, response_body = CAST(:b AS jsonb) "
             "WHERE user_id = :u AND key = :k"),
        {"s": status_code, "b": json.dumps(body, default=str), "u": user_id, "k": key},
    )
    return StoredResponse(status_code, body, replayed=False)
