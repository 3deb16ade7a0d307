"""REST API v1 knowledge base: every endpoint through the real app, database and Redis."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.models import KbArticleRevision, KbDeflection
from tests.factories import Org


@pytest.fixture
def kb_login(login):  # noqa: ANN001
    """`login`, with an empty knowledge base (categories survive the per-test truncation of users)."""
    with session_scope() as session:
        session.execute(text("TRUNCATE kb_categories, kb_articles, kb_article_revisions, kb_votes, kb_deflections "
                             "RESTART IDENTITY CASCADE"))
    return login


def create(client: TestClient, headers: dict[str, str], **fields) -> dict:  # noqa: ANN003
    body = {"title": "Password reset", "body_markdown": "Use the **self-service** portal."} | fields
    response = client.post("/api/v1/kb/articles", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_write_publish_read_and_search(client: TestClient, org: Org, kb_login) -> None:  # noqa: ANN001
    hank, alice = kb_login("hank@example.org"), kb_login("alice@example.org")
    article = create(client, hank, tags=["Accounts"], summary="Forgot it?")
    assert article["status"] == "draft" and article["slug"] == "password-reset"
    assert article["body_html"] == "<p>Use the <strong>self-service</strong> portal.</p>\n"
    assert article["tags"] == ["accounts"] and "search_vector" not in article

    # A draft does not exist for a requester, through any endpoint.
    assert client.get("/api/v1/kb/articles/password-reset", headers=alice).status_code == 404
    assert client.get("/api/v1/kb/search", params={"q": "password"}, headers=alice).json() == []
    assert client.post(f"/api/v1/kb/articles/{article['id']}/vote", json={"helpful": True},
                       headers=alice).status_code == 404
    assert [r["slug"] for r in client.get("/api/v1/kb/search", params={"q": "password"}, headers=hank).json()] == [
        "password-reset"]

    changed = client.patch(f"/api/v1/kb/articles/{article['id']}", json={"body_markdown": "Call <script>x</script>"},
                           headers=hank)
    assert changed.status_code == 200 and "<script" not in changed.json()["body_html"]
    published = client.post(f"/api/v1/kb/articles/{article['id']}/publish", headers=hank)
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["published_at"] is not None

    read = client.get("/api/v1/kb/articles/password-reset", headers=alice)
    assert read.status_code == 200 and read.json()["view_count"] == 1 and read.json()["my_vote"] is None
    found = client.get("/api/v1/kb/search", params={"q": "pasword rest"}, headers=alice).json()
    assert [r["slug"] for r in found] == ["password-reset"] and found[0]["score"] > 0
    prefix = client.get("/api/v1/kb/search", params={"q": "passw"}, headers=alice).json()
    assert [r["slug"] for r in prefix] == ["password-reset"]

    archived = client.post(f"/api/v1/kb/articles/{article['id']}/archive", headers=hank)
    assert archived.status_code == 200
    assert client.get("/api/v1/kb/articles/password-reset", headers=alice).status_code == 404
    with session_scope() as session:
        assert len(session.exec(select(KbArticleRevision)).all()) == 2


def test_requesters_may_not_write(client: TestClient, org: Org, kb_login) -> None:  # noqa: ANN001
    hank, alice = kb_login("hank@example.org"), kb_login("alice@example.org")
    denied = client.post("/api/v1/kb/articles", json={"title": "My article", "body_markdown": "x"}, headers=alice)
    assert denied.status_code == 403
    article = create(client, hank)
    for response in (
        client.patch(f"/api/v1/kb/articles/{article['id']}", json={"title": "Changed title"}, headers=alice),
        client.post(f"/api/v1/kb/articles/{article['id']}/publish", headers=alice),
    ):
        assert response.status_code == 403
    assert client.get("/api/v1/kb/search", params={"q": "password"}).status_code == 401


def test_bad_input_is_a_422_with_field_messages(client: TestClient, org: Org, kb_login) -> None:  # noqa: ANN001
    hank = kb_login("hank@example.org")
    response = client.post("/api/v1/kb/articles", json={"title": "Hi", "body_markdown": "x", "slug": "Bad Slug"},
                           headers=hank)
    assert response.status_code == 422 and {"title", "slug"} <= set(response.json()["errors"])
    missing = client.post("/api/v1/kb/articles", json={"title": "Fine title", "body_markdown": "x",
                                                       "category_id": 12345}, headers=hank)
    assert missing.status_code == 422 and "category_id" in missing.json()["errors"]
    assert client.get("/api/v1/kb/search", params={"q": ""}, headers=hank).status_code == 422


def test_votes_one_per_person(client: TestClient, org: Org, kb_login) -> None:  # noqa: ANN001
    hank, alice, bob = kb_login("hank@example.org"), kb_login("alice@example.org"), kb_login("bob@example.org")
    article = create(client, hank)
    draft_vote = client.post(f"/api/v1/kb/articles/{article['id']}/vote", json={"helpful": True}, headers=hank)
    assert draft_vote.status_code == 409
    client.post(f"/api/v1/kb/articles/{article['id']}/publish", headers=hank)
    url = f"/api/v1/kb/articles/{article['id']}/vote"
    assert client.post(url, json={"helpful": True}, headers=alice).json()["helpful_yes"] == 1
    assert client.post(url, json={"helpful": True}, headers=alice).json()["helpful_yes"] == 1
    client.post(url, json={"helpful": True}, headers=bob)
    final = client.post(url, json={"helpful": False}, headers=alice).json()
    assert (final["helpful_yes"], final["helpful_no"], final["my_vote"]) == (1, 1, False)


def test_deflections_are_recorded(client: TestClient, org: Org, kb_login) -> None:  # noqa: ANN001
    hank, alice = kb_login("hank@example.org"), kb_login("alice@example.org")
    article = create(client, hank)
    client.post(f"/api/v1/kb/articles/{article['id']}/publish", headers=hank)
    solved = client.post("/api/v1/kb/deflections", json={
        "query": "forgot my password", "article_id": article["id"], "outcome": "solved",
        "shown_article_ids": [article["id"]]}, headers=alice)
    assert solved.status_code == 201, solved.text
    assert solved.json()["outcome"] == "solved" and solved.json()["shown_article_ids"] == [article["id"]]
    ticket = client.post("/api/v1/tickets", json={"title": "Password still broken",
                                                  "description": "The reset link does not arrive."}, headers=alice)
    filed = client.post("/api/v1/kb/deflections", json={
        "query": "password", "outcome": "filed_anyway", "shown_article_ids": [article["id"]],
        "ticket_id": ticket.json()["id"]}, headers=alice)
    assert filed.status_code == 201 and filed.json()["ticket_id"] == ticket.json()["id"]
    bad = client.post("/api/v1/kb/deflections", json={"query": "x", "outcome": "solved"}, headers=alice)
    assert bad.status_code == 422 and "article_id" in bad.json()["errors"]
    with session_scope() as session:
        assert [d.outcome for d in session.exec(select(KbDeflection).order_by(KbDeflection.id))] == [
            "solved", "filed_anyway"]


def test_files_on_articles_upload_download_and_visibility(client: TestClient, org: Org, kb_login) -> None:  # noqa: ANN001
    hank, alice = kb_login("hank@example.org"), kb_login("alice@example.org")
    article = create(client, hank)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    uploaded = client.post(f"/api/v1/kb/articles/{article['id']}/attachments", headers=hank,
                           files={"file": ("door.png", png, "text/html")})
    assert uploaded.status_code == 201, uploaded.text
    image = uploaded.json()
    assert image["content_type"] == "image/png" and image["is_image"] and image["url"].endswith(f"/{image['id']}")
    doc = client.post(f"/api/v1/kb/articles/{article['id']}/attachments", headers=hank,
                      files={"file": ("notes.txt", b"<script>alert(1)</script>", "text/html")}).json()
    bad = client.post(f"/api/v1/kb/articles/{article['id']}/attachments", headers=hank,
                      files={"file": ("x.svg", b"<svg/>", "image/svg+xml")})
    assert bad.status_code == 422 and "attachments" in bad.json()["errors"]
    assert client.post(f"/api/v1/kb/articles/{article['id']}/attachments", headers=alice,
                       files={"file": ("a.png", png, "image/png")}).status_code in (403, 404)

    # Draft: not there for a requester.
    assert client.get(image["url"], headers=alice).status_code == 404
    client.post(f"/api/v1/kb/articles/{article['id']}/publish", headers=hank)
    shown = client.get(image["url"], headers=alice)
    assert shown.status_code == 200 and shown.content == png
    assert shown.headers["content-type"] == "image/png" and shown.headers["content-disposition"].startswith("inline")
    download = client.get(doc["url"], headers=alice)
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert [f["filename"] for f in client.get(f"/api/v1/kb/articles/{article['id']}/attachments",
                                              headers=alice).json()] == ["door.png", "notes.txt"]
    assert client.delete(doc["url"], headers=alice).status_code == 403
    assert client.delete(doc["url"], headers=hank).status_code == 204
    assert client.get(doc["url"], headers=hank).status_code == 404
