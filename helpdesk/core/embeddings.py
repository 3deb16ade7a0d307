"""Sentence embeddings for the category model: WordLlama (``wordllama`` wheel, numpy only).

The one loader of this model in the product: the category model and knowledge-base search
(:mod:`helpdesk.kb.semantic`) share it, so a process holds it once. The weights and the tokenizer ship
inside the wheel and are loaded from the package folder by path, so nothing is fetched at run time (the library's
own loader would look for the tokenizer in the wrong folder and then try to download it). The model is not stored
in the classifier artifact: it is loaded once per process (~0.3 s, 16 MB of weights) on first use.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DIMENSIONS", "EMBEDDING_MODEL", "TOKENIZER_FILE", "WEIGHTS_FILE", "embed", "model", "package_dir"]

_CONFIG = "l2_supercat"
DIMENSIONS = 256
WEIGHTS_FILE = f"weights/{_CONFIG}_{DIMENSIONS}.safetensors"
TOKENIZER_FILE = f"tokenizers/{_CONFIG}_tokenizer_config.json"
#: recorded in each classifier that uses embeddings: a different model would make its weights meaningless
EMBEDDING_MODEL = f"wordllama-{_CONFIG}-{DIMENSIONS}"


def package_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("wordllama is not installed")
    return Path(spec.origin).parent


def _inference_class() -> Any:  # noqa: ANN401 (a class from an optional import)
    # wordllama.inference calls logging.basicConfig() when imported; a handler already on the root logger makes that
    # a no-op, so importing it does not change how the application logs.
    root = logging.getLogger()
    placeholder = None if root.handlers else logging.NullHandler()
    if placeholder is not None:
        root.addHandler(placeholder)
    try:
        from wordllama.inference import WordLlamaInference
    finally:
        if placeholder is not None:
            root.removeHandler(placeholder)
    return WordLlamaInference


@lru_cache(maxsize=1)
def model() -> Any:  # noqa: ANN401
    from safetensors import safe_open
    from tokenizers import Tokenizer

    folder = package_dir()
    with safe_open(str(folder / WEIGHTS_FILE), framework="np", device="cpu") as weights:
        embedding = weights.get_tensor("embedding.weight")
    tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    return _inference_class()(embedding, tokenizer)


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 rows, one per text (an empty text gives a zero row)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty text has norm 0: its row becomes zeros
        rows = np.asarray(model().embed(list(texts), norm=True), dtype=np.float32)
    return np.nan_to_num(rows, copy=False)
