from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.factories import PASSWORD, Org


@pytest.fixture
def client(test_env) -> TestClient:  # noqa: ANN001
    from helpdesk.api.app import create_api

    return TestClient(create_api())


@pytest.fixture
def login(client: TestClient, org: Org) -> Callable[[str], dict[str, str]]:
    def headers_for(email: str) -> dict[str, str]:
        response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return headers_for
