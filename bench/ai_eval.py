"""Benchmark the ticket category model.

Default: train on the fixed stratified 80/20 split (seed 42) of the training
CSV and evaluate on the held-out 20 %.
``--test-csv FILE``: evaluate the SHIPPED artifact on FILE instead (same two
columns ``Document,Topic_group``; plain or .gz).

Prints accuracy, macro-F1, precision/coverage above the auto-apply threshold,
a per-category table and single-ticket latency (one ``predict`` call per
ticket, through the product's normalisation path). The last output line is a
JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpdesk.ai.classifier import DEFAULT_THRESHOLD, TicketClassifier  # noqa: E402
from helpdesk.ai.train import DEFAULT_ARTIFACT, DEFAULT_CSV, evaluate, load_csv, split  # noqa: E402


def latency(model: TicketClassifier, texts: Sequence[str], n: int) -> dict[str, float]:
    sample = list(texts[:n])
    for t in sample[:20]:  # warm-up
        model.predict(t)
    times = []
    for t in sample:
        t0 = time.perf_counter()
        model.predict(t)
        times.append((time.perf_counter() - t0) * 1000)
    a = np.array(times)
    return {"n": len(a), "p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
            "p99": float(np.percentile(a, 99)), "max": float(a.max())}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--csv", default=str(DEFAULT_CSV), help="training CSV (default mode)")
    ap.add_argument("--test-csv", help="evaluate the shipped artifact on this CSV")
    ap.add_argument("--artifact", default=str(DEFAULT_ARTIFACT))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--latency-n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)

    extra: dict[str, object] = {}
    if a.test_csv:
        t0 = time.perf_counter()
        model = TicketClassifier.load(a.artifact)
        extra["load_seconds"] = round(time.perf_counter() - t0, 2)
        extra["artifact_mb"] = round(os.path.getsize(a.artifact) / 1e6, 2)
        extra["model_version"] = model.metadata.get("version")
        Xte, yte = load_csv(a.test_csv)
        print(f"mode: shipped artifact {a.artifact} ({extra['artifact_mb']} MB, "
              f"trained {model.metadata.get('trained_at')} on {model.metadata.get('training_rows')} rows) "
              f"on {a.test_csv} ({len(Xte)} rows)")
    else:
        texts, labels = load_csv(a.csv)
        Xtr, Xte, ytr, yte = split(texts, labels, seed=a.seed)
        print(f"mode: train on {len(Xtr)} rows, test on {len(Xte)} rows (stratified 80/20, seed {a.seed})")
        t0 = time.perf_counter()
        model = TicketClassifier(seed=a.seed, n_jobs=a.jobs).fit(Xtr, ytr)
        extra["train_seconds"] = round(time.perf_counter() - t0, 1)
        print(f"train time: {extra['train_seconds']} s")

    t0 = time.perf_counter()
    m = evaluate(model, Xte, yte, threshold=a.threshold)
    batch_s = time.perf_counter() - t0
    lat = latency(model, Xte, a.latency_n)

    print(f"accuracy        {m['accuracy']:.4f}")
    print(f"macro-F1        {m['macro_f1']:.4f}")
    print(f"auto-apply (confidence > {a.threshold}): precision {m['auto_precision']:.4f}, "
          f"coverage {m['auto_coverage']:.4f}")
    print(f"calibration ECE {m['ece']:.4f}")
    print(f"\n{'category':<24}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
    for c, r in m["per_category"].items():
        print(f"{c:<24}{r['precision']:>10.4f}{r['recall']:>10.4f}{r['f1']:>10.4f}{r['support']:>10}")
    print(f"\nbatch predict: {batch_s * 1000 / max(1, m['n']):.2f} ms/ticket")
    print(f"single-ticket latency over {lat['n']} tickets: p50 {lat['p50']:.2f} ms, "
          f"p95 {lat['p95']:.2f} ms, p99 {lat['p99']:.2f} ms, max {lat['max']:.2f} ms")
    out = {"accuracy": m["accuracy"], "macro_f1": m["macro_f1"], "auto_precision": m["auto_precision"],
           "auto_coverage": m["auto_coverage"], "threshold": a.threshold, "ece": m["ece"],
           "predict_p50_ms": round(lat["p50"], 3), "predict_p95_ms": round(lat["p95"], 3),
           "n_test": m["n"], "mode": "artifact" if a.test_csv else "split", **extra}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
