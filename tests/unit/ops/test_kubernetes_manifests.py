"""The Kubernetes manifests render, validate against the Kubernetes JSON schemas, and say what an operator relies on.

Offline: the overlays are rendered in Python (tests/kustomize_render.py) and checked with `kubernetes-validate`,
which ships the schemas. Where `kubectl` is installed, its own `kubectl kustomize` must agree with the rendering.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from helpdesk.core.jobs import QUEUES
from tests.kustomize_render import render

KUBERNETES = Path(__file__).resolve().parents[3] / "docker" / "kubernetes"
OVERLAYS = sorted(p.name for p in (KUBERNETES / "overlays").iterdir() if p.is_dir())
# Oldest Kubernetes release the manifests must be valid for (autoscaling/v2, policy/v1 PDB, ttlSecondsAfterFinished).
KUBERNETES_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]
# Created by the operator (README), never committed: it holds the passwords.
EXTERNAL_SECRETS = {"helpdesk-secrets"}


def _by_name(docs: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def _pod(doc: dict) -> dict:
    return doc["spec"]["template"]["spec"]


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict]]:
    return request.param, render(KUBERNETES / "overlays" / request.param)


def test_there_are_staging_and_production_overlays() -> None:
    assert {"staging", "production"} <= set(OVERLAYS)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_resource_is_valid_against_the_kubernetes_schema(rendered, version: str) -> None:
    _, docs = rendered
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as bad:
            pytest.fail(f"{doc['kind']}/{doc['metadata']['name']} on Kubernetes {version}: {bad.message} at "
                        f"{'.'.join(map(str, bad.path))}")


def test_web_scales_on_cpu_probes_ready_and_health_and_drains(rendered) -> None:
    _, docs = rendered
    web = _by_name(docs, "Deployment")["helpdesk-web"]
    container = _pod(web)["containers"][0]
    assert container["command"] == ["helpdesk", "web"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["resources"]["requests"]["cpu"], "an HPA on CPU needs a CPU request"
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    # preStop, then the server's own 30 s drain, must fit in the grace period.
    assert _pod(web)["terminationGracePeriodSeconds"] >= int(pre_stop[1]) + 30

    hpa = _by_name(docs, "HorizontalPodAutoscaler")["helpdesk-web"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "helpdesk-web"
    assert hpa["spec"]["minReplicas"] == 2 and 3 <= hpa["spec"]["maxReplicas"] <= 10
    [metric] = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu" and metric["resource"]["target"]["averageUtilization"] == 70

    pdb = _by_name(docs, "PodDisruptionBudget")["helpdesk-web"]
    assert pdb["spec"]["selector"]["matchLabels"] == web["spec"]["selector"]["matchLabels"]
    service = _by_name(docs, "Service")["helpdesk-web"]
    assert service["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]


def test_production_allows_ten_web_pods(rendered) -> None:
    overlay, docs = rendered
    if overlay == "production":
        assert _by_name(docs, "HorizontalPodAutoscaler")["helpdesk-web"]["spec"]["maxReplicas"] == 10


def test_every_queue_has_exactly_one_worker_deployment_and_one_beat(rendered) -> None:
    _, docs = rendered
    deployments = _by_name(docs, "Deployment")
    served: list[str] = []
    for name, deployment in deployments.items():
        command = _pod(deployment)["containers"][0]["command"]
        if command[:2] == ["helpdesk", "worker"]:
            served += command[command.index("-Q") + 1].split(",")
            assert _pod(deployment)["terminationGracePeriodSeconds"] >= 30, name
    assert sorted(served) == sorted(QUEUES)
    beats = [d for d in deployments.values() if _pod(d)["containers"][0]["command"] == ["helpdesk", "beat"]]
    assert len(beats) == 1
    assert beats[0]["spec"]["replicas"] == 1 and beats[0]["spec"]["strategy"]["type"] == "Recreate"


def test_migrations_run_as_a_job(rendered) -> None:
    _, docs = rendered
    job = _by_name(docs, "Job")["helpdesk-migrate"]
    assert _pod(job)["containers"][0]["command"] == ["helpdesk", "migrate"]
    assert _pod(job)["restartPolicy"] == "Never"


def test_ingress_keeps_websockets_open(rendered) -> None:
    _, docs = rendered
    ingress = _by_name(docs, "Ingress")["helpdesk"]
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "helpdesk-web"


def test_pods_run_as_non_root_from_one_image_with_config_that_exists(rendered) -> None:
    overlay, docs = rendered
    config_maps = set(_by_name(docs, "ConfigMap"))
    secrets = set(_by_name(docs, "Secret")) | EXTERNAL_SECRETS
    images = set()
    for doc in docs:
        if doc["kind"] not in {"Deployment", "Job"}:
            continue
        pod = _pod(doc)
        assert pod["securityContext"]["runAsNonRoot"] is True, doc["metadata"]["name"]
        for container in pod["containers"]:
            images.add(container["image"])
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in config_maps
                if "secretRef" in source:
                    assert source["secretRef"]["name"] in secrets
    assert len(images) == 1 and ":" in images.pop(), "web, workers, beat and migrations share one tagged image"
    namespaces = {doc["metadata"].get("namespace") for doc in docs if doc["kind"] != "Namespace"}
    assert len(namespaces) == 1 and None not in namespaces, overlay


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl is not installed; the Python rendering stands alone")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_python_rendering_matches_kubectl_kustomize(overlay: str) -> None:
    out = subprocess.run(["kubectl", "kustomize", str(KUBERNETES / "overlays" / overlay)], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    theirs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(out) if d}
    ours = {(d["kind"], d["metadata"]["name"]): d for d in render(KUBERNETES / "overlays" / overlay)}
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key] == theirs[key], key
