"""deploy/k8s renders (kubectl kustomize) for both overlays and every object is valid: built-in
kinds against Kubernetes' schemas (kubernetes-validate, strict), custom resources against the
operators' CRD schemas committed in deploy/k8s/schemas/ (unknown fields refused)."""

import json
import shutil
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from mutu import asyncapi
from shared.contract import events

ROOT = Path(__file__).parents[2]
K8S = ROOT / "deploy/k8s"
KUBECTL = shutil.which("kubectl") or str(ROOT / ".tools/bin/kubectl")  # make ops-tools installs it
KUBERNETES_VERSION = "1.31.0"
OVERLAYS = ("dev", "prod")
SERVICES = ("training", "survey", "evaluation", "rewards")
HTTP_ONLY = {"survey"}
# Secrets an operator creates, or that production creates from its secret manager.
EXTERNAL_SECRETS = {"mutu-rabbitmq-default-user"}


@cache
def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    result = subprocess.run(
        [KUBECTL, "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


@cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the served version's openAPIV3Schema, made strict."""
    schemas = {}
    for path in sorted((K8S / "schemas").glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                schemas[(f"{group}/{version['name']}", kind)] = strict(version["schema"]["openAPIV3Schema"])
    return schemas


def strict(schema: Any) -> Any:
    """Refuse unknown fields where the schema lists properties (as the API server's strict field
    validation does), except where the CRD keeps unknown fields on purpose."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def objects() -> list[tuple[str, dict[str, Any]]]:
    return [(overlay, doc) for overlay in OVERLAYS for doc in rendered(overlay)]


def name_of(overlay: str, doc: dict[str, Any]) -> str:
    return f"{overlay}:{doc['kind']}/{doc['metadata']['name']}"


def of_kind(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in rendered(overlay) if doc["kind"] == kind}


@pytest.mark.parametrize(("overlay", "doc"), objects(), ids=[name_of(o, d) for o, d in objects()])
def test_object_is_valid(overlay: str, doc: dict[str, Any]) -> None:
    key = (doc["apiVersion"], doc["kind"])
    if key in crd_schemas():
        jsonschema.validate(doc, crd_schemas()[key])
    else:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_every_custom_resource_kind_has_a_committed_schema() -> None:
    custom = {(d["apiVersion"], d["kind"]) for _, d in objects() if "." in d["apiVersion"].split("/")[0]}
    builtin_groups = {"apps", "batch", "policy", "autoscaling", "networking.k8s.io"}
    custom = {key for key in custom if key[0].split("/")[0] not in builtin_groups}
    assert custom == set(crd_schemas()), "a custom resource without a schema, or a schema unused"


def test_strict_schemas_refuse_an_unknown_field() -> None:
    cluster = next(d for d in rendered("prod") if d["kind"] == "RabbitmqCluster")
    broken = {**cluster, "spec": {**cluster["spec"], "replica": 3}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, crd_schemas()[(cluster["apiVersion"], "RabbitmqCluster")])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_deployment_per_service_with_probes_resources_and_a_budget(overlay: str) -> None:
    deployments = of_kind(overlay, "Deployment")
    budgets = {
        d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for d in of_kind(overlay, "PodDisruptionBudget").values()
    }
    assert set(deployments) == set(SERVICES)
    assert budgets == set(SERVICES)
    for name, deployment in deployments.items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["serve", name]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"requests", "limits"} <= set(container["resources"])
        assert "mutu" in container["image"]
        assert name in of_kind(overlay, "Service")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_brokers_and_stores_are_replicated_in_production(overlay: str) -> None:
    (rabbit,) = of_kind(overlay, "RabbitmqCluster").values()
    (mongo,) = of_kind(overlay, "MongoDBCommunity").values()
    expected = 3 if overlay == "prod" else 1
    assert rabbit["spec"]["replicas"] == expected
    assert mongo["spec"]["members"] == expected
    assert mongo["spec"]["type"] == "ReplicaSet"
    assert "load_definitions" in rabbit["spec"]["rabbitmq"]["additionalConfig"]


def test_rabbitmq_definitions_are_the_compose_ones() -> None:
    (config,) = (d for d in rendered("prod") if d["metadata"]["name"] == "mutu-rabbitmq-definitions")
    compose = json.loads((ROOT / "deploy/rabbitmq/definitions.json").read_text())
    assert json.loads(config["data"]["definitions.json"]) == compose


def consumed_queues(service: str) -> set[str]:
    """The queues a service consumes, from the AsyncAPI document it serves."""
    queues = set()
    for operation_id, operation in asyncapi.served(service)["operations"].items():
        if operation["action"] == "receive":
            event = events.BY_TYPE[operation_id.split(".", 1)[1].removeprefix("receive")]
            queues.add(f"{service}.{event.routing_key}")
    return queues


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_consuming_service_scales_on_its_queues_and_http_ones_on_cpu(overlay: str) -> None:
    scaled = of_kind(overlay, "ScaledObject")
    hpas = of_kind(overlay, "HorizontalPodAutoscaler")
    for service in SERVICES:
        queues = consumed_queues(service)
        if service in HTTP_ONLY:
            assert not queues
            assert hpas[service]["spec"]["metrics"][0]["resource"]["name"] == "cpu"
            continue
        spec = scaled[service]["spec"]
        assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (1, 10)
        triggers = [t for t in spec["triggers"] if t["type"] == "rabbitmq"]
        assert {t["metadata"]["queueName"] for t in triggers} == queues
        assert all(t["metadata"]["mode"] == "QueueLength" for t in triggers)
    assert set(scaled) | set(hpas) == set(SERVICES)
    assert not set(scaled) & set(hpas), "a ScaledObject and an HPA would fight over one Deployment"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_referenced_config_map_and_secret_is_rendered(overlay: str) -> None:
    """Dev renders every Secret it needs; prod expects them from outside (listed in the README)."""
    docs = rendered(overlay)
    present = Counter((d["kind"], d["metadata"]["name"]) for d in docs)
    text = yaml.safe_dump_all(docs)
    for deployment in of_kind(overlay, "Deployment").values():
        spec = deployment["spec"]["template"]["spec"]
        for volume in spec["volumes"]:
            if "secret" in volume and overlay == "dev":
                assert ("Secret", volume["secret"]["secretName"]) in present
        for source in spec["containers"][0]["envFrom"]:
            assert ("ConfigMap", source["configMapRef"]["name"]) in present
    assert "mutu-rabbitmq-definitions" in text
    if overlay == "dev":
        referenced = {ref["name"] for doc in docs for ref in _secret_refs(doc)}
        missing = referenced - {name for kind, name in present if kind == "Secret"} - EXTERNAL_SECRETS
        assert not missing


def _secret_refs(node: Any) -> list[dict[str, Any]]:
    """Every {name: ...} under a key that names a Secret (secretKeyRef, passwordSecretRef, ...)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"secretKeyRef", "passwordSecretRef", "secretTargetRef"}:
                found += value if isinstance(value, list) else [value]
            elif key == "secret" and isinstance(value, dict) and "secretName" in value:
                found.append({"name": value["secretName"]})
            else:
                found += _secret_refs(value)
    elif isinstance(node, list):
        for item in node:
            found += _secret_refs(item)
    return found
