"""The KB embedding model loads from the installed wheel with no network, and ranks paraphrases sensibly."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from helpdesk.kb import semantic as kb_semantic


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any attempt to open a connection (say, to a model hub) fails the test."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError(f"network use in a test: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HOME", "/nonexistent")  # no cached copy under ~/.cache either
    kb_semantic.model.cache_clear()
    yield attempts
    kb_semantic.model.cache_clear()


def test_model_loads_from_the_package_folder_without_the_network(no_network: list[object]) -> None:
    vectors = np.array(kb_semantic.embed_many(["Reset a forgotten password", "VPN keeps disconnecting"]))
    assert vectors.shape == (2, kb_semantic.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert no_network == []
    assert (kb_semantic.package_dir() / kb_semantic.WEIGHTS_FILE).is_file()
    assert (kb_semantic.package_dir() / kb_semantic.TOKENIZER_FILE).is_file()


def test_paraphrases_are_closest_to_their_article(no_network: list[object]) -> None:
    articles = ["Reset a forgotten password on Windows", "VPN keeps disconnecting on macOS",
                "Paper jam that will not clear on the printer", "Mailbox full: Outlook storage quota exceeded"]
    questions = ["I can't remember my login secret", "remote connection drops constantly",
                 "sheets stuck inside the copier", "email storage limit reached"]
    a = np.array(kb_semantic.embed_many(articles))
    q = np.array(kb_semantic.embed_many(questions))
    assert list((q @ a.T).argmax(axis=1)) == [0, 1, 2, 3]


def test_article_text_and_vector_literal() -> None:
    text = kb_semantic.article_text("Title here", ["vpn", "wifi"], "b" * 5000)
    assert text.startswith("Title here. vpn, wifi.") and text.count("b") == kb_semantic.BODY_CHARACTERS
    assert kb_semantic.vector_literal([0.5, -0.25]) == "[0.500000,-0.250000]"
