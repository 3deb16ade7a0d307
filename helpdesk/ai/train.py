"""Train, evaluate and ship the default ticket category model.

``python -m helpdesk.ai.train`` evaluates on a fixed stratified 80/20 split
(seed 42), then retrains on all rows and writes
``helpdesk/ai/artifacts/category-default.joblib`` and ``category-default.json``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import time
from collections.abc import Callable, Sequence
from os import PathLike
from pathlib import Path
from typing import IO, Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import train_test_split

from .classifier import DEFAULT_THRESHOLD, TicketClassifier

AI_DIR = Path(__file__).resolve().parent
DEFAULT_CSV = AI_DIR / "data" / "it-tickets-train.csv.gz"
DEFAULT_ARTIFACT = AI_DIR / "artifacts" / "category-default.joblib"
CURVE_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98)


def load_csv(path: str | PathLike[str]) -> tuple[list[str], list[str]]:
    """Read a ``Document,Topic_group`` CSV (plain or gzip)."""
    path = Path(path)
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    opener: Callable[..., IO[bytes]] = gzip.open if gz else open
    with opener(path, "rb") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["Document"] or "" for r in rows]
    labels = [r["Topic_group"] for r in rows]
    return texts, labels


def split(texts: Sequence[str], labels: Sequence[str], seed: int = 42,
          test_size: float = 0.2) -> list[list[str]]:
    """The fixed stratified split used for all reported figures."""
    return train_test_split(texts, labels, test_size=test_size, stratify=labels, random_state=seed)


def evaluate(model: TicketClassifier, texts: Sequence[str], labels: Sequence[str],
             threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Accuracy, macro-F1, per-category precision/recall and auto-apply figures.

    ``auto_precision`` is the accuracy on predictions whose confidence is
    above ``threshold``; ``auto_coverage`` is the share of such predictions.
    """
    y = np.asarray(labels, dtype=object).astype(str)
    proba = model.predict_proba(texts)
    pred = model.classes_[proba.argmax(1)]
    conf = proba.max(1)
    auto = conf > threshold
    classes = [str(c) for c in model.classes_]
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
    # expected calibration error (15 equal-width bins on the top-class confidence)
    bins = np.minimum((conf * 15).astype(int), 14)
    ece = sum(abs((pred[bins == b] == y[bins == b]).mean() - conf[bins == b].mean()) * (bins == b).mean()
              for b in range(15) if (bins == b).any())
    right = pred == y
    # What other thresholds would give: an administrator can trade coverage for precision knowingly.
    curve = [{"threshold": t, "precision": round(float(right[conf > t].mean()), 4) if (conf > t).any() else None,
              "coverage": round(float((conf > t).mean()), 4)} for t in CURVE_THRESHOLDS]
    return {
        "n": int(len(y)),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro", labels=classes, zero_division=0)), 4),
        "threshold": threshold,
        "auto_precision": round(float((pred[auto] == y[auto]).mean()) if auto.any() else 0.0, 4),
        "auto_coverage": round(float(auto.mean()), 4),
        "ece": round(float(ece), 4),
        "per_category": {c: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                             "f1": round(float(f[i]), 4), "support": int(s[i])}
                         for i, c in enumerate(classes)},
        "threshold_curve": curve,
    }


def train_default_model(csv_path: str | PathLike[str] = DEFAULT_CSV,
                        out_path: str | PathLike[str] | None = DEFAULT_ARTIFACT, seed: int = 42,
                        full: bool = True, n_jobs: int = 2, verbose: bool = True) -> dict[str, Any]:
    """Evaluate on the fixed 80/20 split, then (``full``) retrain on all rows
    and write ``out_path`` (+ a ``.json`` metadata file next to it).

    Returns the metrics dict measured on the held-out 20 %.
    """
    log = print if verbose else (lambda *a, **k: None)
    texts, labels = load_csv(csv_path)
    Xtr, Xte, ytr, yte = split(texts, labels, seed=seed)
    t = time.perf_counter()
    model = TicketClassifier(seed=seed, n_jobs=n_jobs).fit(Xtr, ytr)
    fit_s = time.perf_counter() - t
    metrics = evaluate(model, Xte, yte)
    metrics["split"] = {"train_rows": len(Xtr), "test_rows": len(Xte), "seed": seed, "test_size": 0.2}
    metrics["train_seconds_split"] = round(fit_s, 1)
    log(f"split: accuracy={metrics['accuracy']} macro_f1={metrics['macro_f1']} "
        f"auto_precision={metrics['auto_precision']} auto_coverage={metrics['auto_coverage']} "
        f"(fit {fit_s:.0f}s)")
    if not full or out_path is None:
        return metrics
    t = time.perf_counter()
    final = TicketClassifier(seed=seed, n_jobs=n_jobs).fit(texts, labels)
    final.metadata["metrics"] = {**final.metadata["metrics"], **{k: v for k, v in metrics.items()}}
    final.metadata["train_seconds_full"] = round(time.perf_counter() - t, 1)
    final.metadata["source"] = Path(csv_path).name
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    final.save(out_path)
    final.metadata["artifact_bytes"] = os.path.getsize(out_path)
    out_path.with_suffix(".json").write_text(json.dumps(final.metadata, indent=2) + "\n")
    log(f"wrote {out_path} ({final.metadata['artifact_bytes'] / 1e6:.1f} MB, "
        f"fit {final.metadata['train_seconds_full']:.0f}s on {len(texts)} rows)")
    return metrics


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--csv", default=str(DEFAULT_CSV))
    ap.add_argument("--out", default=str(DEFAULT_ARTIFACT))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-full", action="store_true", help="only evaluate on the split")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    metrics = train_default_model(a.csv, a.out, seed=a.seed, full=not a.no_full, n_jobs=a.jobs)
    print(json.dumps({k: v for k, v in metrics.items() if k != "per_category"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
