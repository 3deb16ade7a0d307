"""Renders a kustomization offline, in Python, for the manifest tests.

Covers the kustomize features docker/kubernetes uses and no more: `resources` (files and folders), `namespace`,
`labels` (metadata labels only), `images`, `patches` (strategic merge from a file, matched by kind and name) and
ConfigMap/Secret generators without hash suffixes. CI machines have no kustomize binary; where `kubectl` is
installed the tests also compare this rendering with `kubectl kustomize`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

# Strategic-merge keys of the list fields the manifests patch (as Kubernetes' own patchMergeKey markers say).
MERGE_KEYS = {"containers": "name", "initContainers": "name", "env": "name", "volumes": "name",
              "volumeMounts": "mountPath", "ports": "containerPort"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}


def _load(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _merge(base: Any, patch: Any, field: str = "") -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(base[key], value, key) if key in base else copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(patch, list) and field in MERGE_KEYS:
        key = MERGE_KEYS[field]
        merged = [copy.deepcopy(item) for item in base]
        for item in patch:
            match = next((i for i, old in enumerate(merged) if old.get(key) == item.get(key)), None)
            if match is None:
                merged.append(copy.deepcopy(item))
            else:
                merged[match] = _merge(merged[match], item)
        return merged
    return copy.deepcopy(patch)


def _identity(doc: dict[str, Any]) -> tuple[str, str]:
    return doc["kind"], doc["metadata"]["name"]


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {})
    pod = spec.get("jobTemplate", {}).get("spec", spec).get("template", {}).get("spec", {})
    return pod.get("containers", []) + pod.get("initContainers", [])


def _generated(kind: str, entry: dict[str, Any], folder: Path) -> dict[str, Any]:
    data: dict[str, str] = {}
    for literal in entry.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    for env_file in entry.get("envs", []):
        for line in (folder / env_file).read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                key, _, value = line.partition("=")
                data[key.strip()] = value.strip()
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": {"name": entry["name"]}}
    doc["stringData" if kind == "Secret" else "data"] = data
    if kind == "Secret":
        doc["type"] = entry.get("type", "Opaque")
    return doc


def render(folder: Path) -> list[dict[str, Any]]:
    """The resources `kustomize build folder` would print, as dictionaries."""
    spec = yaml.safe_load((folder / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for resource in spec.get("resources", []):
        path = (folder / resource).resolve()
        docs.extend(render(path) if path.is_dir() else _load(path))
    for kind, field in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
        docs.extend(_generated(kind, entry, folder) for entry in spec.get(field, []))

    for patch in spec.get("patches", []):
        for change in _load(folder / patch["path"]):
            index = next((i for i, doc in enumerate(docs) if _identity(doc) == _identity(change)), None)
            if index is None:
                raise ValueError(f"patch {patch['path']} names {_identity(change)}, which is not a resource")
            docs[index] = _merge(docs[index], change)

    for image in spec.get("images", []):
        for doc in docs:
            for container in _containers(doc):
                name, _, _tag = container["image"].partition(":")
                if name == image["name"]:
                    container["image"] = f"{image.get('newName', name)}:{image.get('newTag', _tag or 'latest')}"
    for group in spec.get("labels", []):
        for doc in docs:
            doc["metadata"].setdefault("labels", {}).update(group["pairs"])
    if spec.get("namespace"):
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = spec["namespace"]
    return docs
