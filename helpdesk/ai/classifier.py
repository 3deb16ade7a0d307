"""Ticket category classifier: TF-IDF features, a stacked linear ensemble and
a calibrated probability output.

Model (all scikit-learn, no network, no GPU):

* features, computed on :func:`helpdesk.ai.normalize.normalize_text` output:
  - ``word``: word 1-2 gram TF-IDF (sublinear tf, min_df=2);
  - ``char``: character 2-5 gram TF-IDF inside word boundaries (robust to
    typos and word-form variants);
  - ``head``: word 1-2 gram TF-IDF of the first 4 tokens (the ticket title is
    at the start of the text), weighted 0.5;
  - ``emb``: the 256-dimensional WordLlama sentence embedding of the text
    (:mod:`helpdesk.core.embeddings`, loaded offline from the installed wheel);
* base models (each gives 8 scores):
  - ``lr_word``: multinomial logistic regression (C=10) on ``word``;
  - ``svc_all``: LinearSVC (C=0.1) on ``word + char + emb``;
  - ``svc_head``: LinearSVC (C=0.3) on ``word + head``;
  - ``nblr_head``: NB-LR (:mod:`helpdesk.ai.nb_linear`, C=4) on ``word + head``;
* stacker / calibrator: a multinomial logistic regression (standardised
  inputs, C=0.1) fitted on the *out-of-fold* outputs of the base models
  (5-fold stratified CV), so the output probabilities are estimated on data
  the base models did not see. Its inputs are each base model's 8 scores and,
  per base model, its margin (top score minus runner-up) placed on the class
  it predicts: that tells the stacker how decided each model is and whether
  they agree, which separates sure predictions from doubtful ones better than
  the raw scores (chosen by cross-validation on the training part: lower log
  loss, calibration error about halved). This is stacking with a held-out
  (cross-fitted) multinomial calibration step, so ``confidence`` (the top
  class probability) stays a calibrated probability.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from os import PathLike
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from helpdesk.core import embeddings

from .nb_linear import NBLogisticRegression
from .normalize import normalize, normalize_text

__all__ = ["Prediction", "TicketClassifier", "MODEL_VERSION", "DEFAULT_THRESHOLD"]

MODEL_VERSION = "category-stack-2.1"
#: confidence above which a prediction may be applied automatically
DEFAULT_THRESHOLD = 0.85
# The newest one-ticket predictions per model (kept outside the model, so they are never saved with it).
_RECENT_PREDICTIONS = 2048
_recent: weakref.WeakKeyDictionary[TicketClassifier, OrderedDict[str, Prediction]] = weakref.WeakKeyDictionary()
_recent_lock = threading.Lock()
_HEAD_TOKENS = 4
_HEAD_WEIGHT = 0.5


@dataclass(frozen=True)
class Prediction:
    """One prediction. ``scores`` maps every category to its probability."""

    label: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)

    def is_confident(self, threshold: float = DEFAULT_THRESHOLD) -> bool:
        return self.confidence > threshold

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "confidence": self.confidence, "scores": dict(self.scores)}


def _head(text: str) -> str:
    return " ".join(text.split()[:_HEAD_TOKENS])


# base model name -> (factory, feature blocks, output kind)
def _base_specs(seed: int) -> dict[str, tuple[Any, tuple[str, ...], str]]:
    return {
        "lr_word": (lambda: LogisticRegression(C=10.0, max_iter=300), ("word",), "proba"),
        "svc_all": (lambda: LinearSVC(C=0.1, random_state=seed), ("word", "char", "emb"), "decision"),
        "svc_head": (lambda: LinearSVC(C=0.3, random_state=seed), ("word", "head"), "decision"),
        "nblr_head": (lambda: NBLogisticRegression(C=4.0, random_state=seed), ("word", "head"), "decision"),
    }


def _scores(model: Any, X: sp.csr_matrix, kind: str) -> np.ndarray:
    if kind == "proba":
        return np.log(np.clip(model.predict_proba(X), 1e-6, 1.0))
    return model.decision_function(X)


def _meta_features(scores: Sequence[np.ndarray], with_margins: bool) -> np.ndarray:
    """The stacker's input: every base model's scores and (``with_margins``) per model its top-1 minus top-2 gap
    on the class it predicts (zeros elsewhere), so agreement and decisiveness are visible to a linear stacker."""
    parts = list(scores)
    if with_margins:
        for s in scores:
            top2 = np.partition(s, -2, axis=1)[:, -2:]
            winner = s.argmax(1)
            margin = np.zeros_like(s)
            margin[np.arange(len(s)), winner] = top2[:, 1] - top2[:, 0]
            parts.append(margin)
    return np.hstack(parts)


def _fit_base(factory: Any, X: sp.csr_matrix, y: np.ndarray, train_idx: np.ndarray, pred_idx: np.ndarray | None,
              kind: str) -> tuple[Any, np.ndarray | None]:
    model = factory()
    model.fit(X[train_idx], y[train_idx])
    out = _scores(model, X[pred_idx], kind) if pred_idx is not None else None
    return model, out


def _shrink(model: Any) -> None:
    """Store linear weights as float32 (halves the artifact, same predictions to 1e-6)."""
    if hasattr(model, "coef_"):
        model.coef_ = np.ascontiguousarray(model.coef_, dtype=np.float32)
        model.intercept_ = np.asarray(model.intercept_, dtype=np.float32)


class TicketClassifier:
    """Stacked TF-IDF ensemble with calibrated probabilities.

    >>> clf = TicketClassifier().fit(texts, labels)
    >>> clf.predict("printer broken third floor").label
    """

    def __init__(self, seed: int = 42, n_folds: int = 5, n_jobs: int = 2):
        self.seed = seed
        self.n_folds = n_folds
        self.n_jobs = n_jobs
        self.metadata: dict[str, Any] = {}

    # ------------------------------------------------------------------ fit
    def _make_vectorizers(self) -> dict[str, TfidfVectorizer]:
        return {
            "word": TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                                    dtype=np.float32, token_pattern=r"\S+"),
            "char": TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                    min_df=3, dtype=np.float32),
            "head": TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                                    dtype=np.float32, token_pattern=r"\S+"),
        }

    def _blocks(self, docs: Sequence[str], fit: bool = False) -> dict[str, sp.csr_matrix]:
        out = {}
        for name, vec in self.vectorizers_.items():
            src = [_head(d) for d in docs] if name == "head" else docs
            X = vec.fit_transform(src) if fit else vec.transform(src)
            out[name] = X * _HEAD_WEIGHT if name == "head" else X
        if any("emb" in feats for feats, _ in self.base_specs_.values()):
            out["emb"] = sp.csr_matrix(embeddings.embed(docs))
        return out

    @staticmethod
    def _stack(blocks: dict[str, sp.csr_matrix], names: Iterable[str]) -> sp.csr_matrix:
        names = tuple(names)
        if len(names) == 1:
            return blocks[names[0]].tocsr()
        return sp.hstack([blocks[n] for n in names], format="csr")

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TicketClassifier:
        from joblib import Parallel, delayed

        t0 = time.perf_counter()
        docs = [normalize_text(t) for t in texts]
        y = np.asarray(labels, dtype=object).astype(str)
        self.classes_ = np.unique(y)
        self.vectorizers_ = self._make_vectorizers()
        specs = _base_specs(self.seed)
        self.base_specs_ = {name: (feats, kind) for name, (_, feats, kind) in specs.items()}
        self.embedding_model_ = embeddings.EMBEDDING_MODEL
        blocks = self._blocks(docs, fit=True)
        mats = {name: self._stack(blocks, feats) for name, (_, feats, _) in specs.items()}
        folds = list(StratifiedKFold(self.n_folds, shuffle=True, random_state=self.seed).split(docs, y))
        all_idx = np.arange(len(y))
        jobs = [(name, None) for name in specs] + [(name, k) for name in specs for k in range(len(folds))]
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_base)(specs[name][0], mats[name], y,
                               all_idx if k is None else folds[k][0],
                               None if k is None else folds[k][1], specs[name][2])
            for name, k in jobs)
        n_cls = len(self.classes_)
        oof = {name: np.zeros((len(y), n_cls)) for name in specs}
        self.base_models_ = {}
        for (name, k), (model, out) in zip(jobs, results, strict=True):
            if k is None:
                _shrink(model)
                self.base_models_[name] = model
            else:
                oof[name][folds[k][1]] = out
        self.meta_margins_ = True
        Z = _meta_features([oof[name] for name in specs], self.meta_margins_)
        self.meta_ = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)).fit(Z, y)
        self.oof_accuracy_ = float((self.meta_.predict(Z) == y).mean())
        self.fit_seconds_ = time.perf_counter() - t0
        self.metadata = {
            "version": MODEL_VERSION,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "training_rows": int(len(y)),
            "classes": [str(c) for c in self.classes_],
            "sklearn_version": sklearn.__version__,
            "fit_seconds": round(self.fit_seconds_, 1),
            "seed": self.seed,
            "threshold": DEFAULT_THRESHOLD,
            "embedding_model": self.embedding_model_,
            "metrics": {"oof_accuracy": round(self.oof_accuracy_, 4)},
        }
        with _recent_lock:
            _recent.pop(self, None)  # answers of the model before this fit
        return self

    # -------------------------------------------------------------- predict
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities, columns in ``self.classes_`` order."""
        docs = [normalize_text(t) for t in texts]
        blocks = self._blocks(docs)
        scores = [_scores(self.base_models_[name], self._stack(blocks, feats), kind)
                  for name, (feats, kind) in self.base_specs_.items()]
        # models saved before 2.0 have no margin features (and no embeddings): they keep predicting as trained
        return self.meta_.predict_proba(_meta_features(scores, getattr(self, "meta_margins_", False)))

    def _to_prediction(self, p: np.ndarray) -> Prediction:
        i = int(np.argmax(p))
        scores = {str(c): float(v) for c, v in zip(self.classes_, p, strict=True)}
        return Prediction(label=str(self.classes_[i]), confidence=float(p[i]), scores=scores)

    def predict(self, text: str) -> Prediction:
        """Predict one ticket text (raw or already normalised). The same text gets the same answer, so the newest
        answers are kept (tickets repeat: forwarded mails, the same request from many people, the demo's tickets)."""
        with _recent_lock:
            recent = _recent.setdefault(self, OrderedDict())
            hit = recent.get(text)
            if hit is not None:
                recent.move_to_end(text)
        if hit is None:
            hit = self._to_prediction(self.predict_proba([text])[0])
            with _recent_lock:
                recent[text] = hit
                while len(recent) > _RECENT_PREDICTIONS:
                    recent.popitem(last=False)
        # A copy of the scores: a caller changing its dict must not change the next caller's.
        return Prediction(hit.label, hit.confidence, dict(hit.scores))

    def predict_ticket(self, title: str, body: str) -> Prediction:
        """Predict from a ticket's raw title and body."""
        return self.predict(normalize(title, body))

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self._to_prediction(p) for p in self.predict_proba(texts)]

    def predict_labels(self, texts: Sequence[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(1)]

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.classes_]

    # ------------------------------------------------------------ persist
    def save(self, path: str | PathLike[str]) -> None:
        joblib.dump({"format": 1, "metadata": self.metadata, "model": self}, path, compress=3)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> TicketClassifier:
        obj = joblib.load(path)
        model = obj["model"]
        if not isinstance(model, cls):
            raise TypeError(f"{path} does not contain a {cls.__name__}")
        model.metadata = obj.get("metadata", model.metadata)
        wanted = getattr(model, "embedding_model_", None)
        if wanted is not None and wanted != embeddings.EMBEDDING_MODEL:
            raise ValueError(f"{path} was trained with embeddings {wanted}; "
                             f"this install has {embeddings.EMBEDDING_MODEL}")
        return model
