"""The knowledge-base category tree: listing it (cached), the editor's options, and creating, renaming, moving and
(de)activating categories.

Any writer may add a category; renaming, moving and deactivating are for managers and administrators.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from helpdesk.core import audit, cache, on_commit
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.identity.actor import Actor
from helpdesk.kb.articles import check_may_write
from helpdesk.models import KbCategory, Role

CATEGORY_TREE_CACHE_TTL_SECONDS = 24 * 60 * 60  # spec 4.3.3: category tree, 1 day


def category_tree_cache_key() -> str:
    return cache.key("kb", "categories", "tree")


def category_tree(session: Session) -> list[dict[str, Any]]:
    """Every category as nested `{id, name, children}`, siblings by name."""

    def compute() -> list[dict[str, Any]]:
        categories = session.exec(select(KbCategory).order_by(KbCategory.name, KbCategory.id)).all()
        nodes = {c.id: {"id": c.id, "name": c.name, "children": []} for c in categories}
        roots: list[dict[str, Any]] = []
        for category in categories:
            if not category.active:  # hidden with everything below it
                continue
            if category.parent_id is None:
                roots.append(nodes[category.id])
            elif category.parent_id in nodes:
                nodes[category.parent_id]["children"].append(nodes[category.id])
        return roots

    return cache.cached_json(category_tree_cache_key(), CATEGORY_TREE_CACHE_TTL_SECONDS, compute)


def create_category(session: Session, actor: Actor, name: str, parent_id: int | None = None) -> KbCategory:
    check_may_write(actor)
    name = " ".join(name.split())
    if not 1 <= len(name) <= 80:
        raise ValidationFailed({"name": "Name must be 1 to 80 characters."})
    if parent_id is not None and session.get(KbCategory, parent_id) is None:
        raise ValidationFailed({"parent_id": "Choose a parent category from the list."})
    duplicate = session.exec(select(KbCategory.id).where(KbCategory.name == name,
                                                         KbCategory.parent_id == parent_id
                                                         if parent_id is not None
                                                         else KbCategory.parent_id.is_(None))).first()
    if duplicate is not None:
        raise ValidationFailed({"name": "A category with this name is already there."})
    category = KbCategory(name=name, parent_id=parent_id)
    session.add(category)
    session.flush()
    _forget_category_tree(session)
    return category


def _forget_category_tree(session: Session) -> None:
    on_commit.after_commit(session, lambda: cache.invalidate(category_tree_cache_key()), key="kb-category-tree")


def may_manage_categories(actor: Actor) -> bool:
    """Renaming, moving and deactivating categories is for managers and administrators."""
    return actor.role in (Role.MANAGER, Role.ADMIN)


def _check_may_manage_categories(actor: Actor) -> None:
    if not may_manage_categories(actor):
        raise PermissionDenied("Only managers and administrators can change knowledge-base categories.")


def category_options(session: Session, actor: Actor, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Categories as a flat list in tree order, each with its full path ("Hardware / Printers"), depth, parent and
    whether it is active: the editor's select (active only) and the category panel (all). Staff only."""
    check_may_write(actor)
    categories = session.exec(select(KbCategory).order_by(KbCategory.name, KbCategory.id)).all()
    children: dict[int | None, list[KbCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    rows: list[dict[str, Any]] = []

    def walk(parent_id: int | None, path: str, depth: int, active: bool) -> None:
        for category in children.get(parent_id, []):
            full = f"{path} / {category.name}" if path else category.name
            is_active = active and category.active
            if is_active or include_inactive:
                rows.append({"id": category.id, "name": category.name, "path": full, "depth": depth,
                             "parent_id": category.parent_id, "active": is_active,
                             "own_active": category.active})
            walk(category.id, full, depth + 1, is_active)

    walk(None, "", 0, True)
    return rows


def _category_for_change(session: Session, category_id: int) -> KbCategory:
    category = session.get(KbCategory, category_id, with_for_update=True)
    if category is None:
        raise NotFound("Category not found.")
    return category


def _check_sibling_name_free(session: Session, name: str, parent_id: int | None, category_id: int) -> None:
    duplicate = session.exec(select(KbCategory.id).where(
        KbCategory.name == name, KbCategory.id != category_id,
        KbCategory.parent_id == parent_id if parent_id is not None else KbCategory.parent_id.is_(None))).first()
    if duplicate is not None:
        raise ValidationFailed({"name": "A category with this name is already there."})


def rename_category(session: Session, actor: Actor, category_id: int, name: str) -> KbCategory:
    _check_may_manage_categories(actor)
    category = _category_for_change(session, category_id)
    name = " ".join(name.split())
    if not 1 <= len(name) <= 80:
        raise ValidationFailed({"name": "Name must be 1 to 80 characters."})
    if name == category.name:
        return category
    _check_sibling_name_free(session, name, category.parent_id, category.id)
    old = category.name
    category.name = name
    session.add(category)
    session.flush()
    audit.record(session, "kb_category.rename", actor_id=actor.user_id, entity_type="kb_category",
                 entity_id=str(category.id), details={"from": old, "to": name})
    _forget_category_tree(session)
    return category


def move_category(session: Session, actor: Actor, category_id: int, parent_id: int | None) -> KbCategory:
    """Nests a category under another (or makes it top-level with None); never under itself or its own subtree."""
    _check_may_manage_categories(actor)
    category = _category_for_change(session, category_id)
    if parent_id == category.parent_id:
        return category
    if parent_id is not None:
        if session.get(KbCategory, parent_id) is None:
            raise ValidationFailed({"parent_id": "Choose a parent category from the list."})
        below = session.execute(text("""
            WITH RECURSIVE subtree AS (
                SELECT id FROM kb_categories WHERE id = :id
                UNION ALL SELECT c.id FROM kb_categories c JOIN subtree s ON c.parent_id = s.id
            ) SELECT 1 FROM subtree WHERE id = :parent_id"""), {"id": category.id, "parent_id": parent_id}).first()
        if below is not None:
            raise ValidationFailed({"parent_id": "A category can't be moved under itself or one of its own."})
    _check_sibling_name_free(session, category.name, parent_id, category.id)
    old = category.parent_id
    category.parent_id = parent_id
    session.add(category)
    session.flush()
    audit.record(session, "kb_category.move", actor_id=actor.user_id, entity_type="kb_category",
                 entity_id=str(category.id), details={"from": old, "to": parent_id})
    _forget_category_tree(session)
    return category


def set_category_active(session: Session, actor: Actor, category_id: int, active: bool) -> KbCategory:
    """A deactivated category (and what is below it) is hidden from the tree and from new articles; the articles
    in it keep it, and it can be activated again."""
    _check_may_manage_categories(actor)
    category = _category_for_change(session, category_id)
    if category.active == active:
        return category
    category.active = active
    session.add(category)
    session.flush()
    audit.record(session, f"kb_category.{'activate' if active else 'deactivate'}", actor_id=actor.user_id,
                 entity_type="kb_category", entity_id=str(category.id))
    _forget_category_tree(session)
    return category
