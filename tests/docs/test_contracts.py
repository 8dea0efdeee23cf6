"""The contract documents pass the ecosystem's own validators: the official AsyncAPI parser, openapi-spec-validator."""

import importlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openapi_spec_validator
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mutu import asyncapi, launcher

ROOT = Path(__file__).parents[2]
PARSER = ROOT / "tools" / "asyncapi"


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Diagnostics of the official parser per document, from one run of `tools/asyncapi/check.mjs`.

    The documents: docs/asyncapi.yaml, what each service serves at /asyncapi.json (its
    /asyncapi.yaml says the same), and `old.yaml` (docs/asyncapi.yaml as it used to be) to show the check can fail.
    """
    node = shutil.which("node")
    assert node, "node is missing: run `make ops-tools`"
    assert (PARSER / "node_modules" / "@asyncapi" / "parser").is_dir(), "run `make ops-tools` (npm ci)"
    folder = tmp_path_factory.mktemp("asyncapi")
    documents = {"docs/asyncapi.yaml": (ROOT / "docs" / "asyncapi.yaml").read_text()}
    for service in launcher.SERVICES:
        client = TestClient(_app(service))  # built, never started: nothing connects
        documents[f"{service}.json"] = client.get("/asyncapi.json").raise_for_status().text
        as_yaml = yaml.safe_load(client.get("/asyncapi.yaml").raise_for_status().text)
        assert as_yaml == json.loads(documents[f"{service}.json"]), "the YAML says the same as the JSON"
    old = yaml.safe_load(documents["docs/asyncapi.yaml"])
    old["components"]["messages"]["TrainingCompleted"]["bindings"]["amqp"]["deliveryMode"] = 2
    documents["old.yaml"] = yaml.safe_dump(old, sort_keys=False)
    files = {}
    for name, text in documents.items():
        files[name] = folder / name.replace("/", "_")
        files[name].write_text(text)
    result = subprocess.run(
        [node, "check.mjs", *map(str, files.values())],
        cwd=PARSER,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1, "old.yaml must fail: " + result.stdout + result.stderr
    assert not result.stderr.strip(), result.stderr
    found = [json.loads(line) for line in result.stdout.splitlines()]
    return {name: [d for d in found if d["file"] == str(path)] for name, path in files.items()}


@pytest.mark.parametrize(
    "document",
    ["docs/asyncapi.yaml", *(f"{service}.json" for service in launcher.SERVICES)],
)
def test_the_official_parser_loads_the_asyncapi_document_without_error(
    parsed: dict[str, list[dict[str, Any]]], document: str
) -> None:
    serious = [d for d in parsed[document] if d["severity"] in {"error", "warning"}]
    assert serious == [], json.dumps(serious, indent=1)


def test_the_parser_refuses_delivery_mode_on_a_message_binding(
    parsed: dict[str, list[dict[str, Any]]],
) -> None:
    """How docs/asyncapi.yaml used to be (18 errors): the check above can fail."""
    assert any(
        d["severity"] == "error" and d["path"].endswith("TrainingCompleted.bindings.amqp.deliveryMode")
        for d in parsed["old.yaml"]
    )


@pytest.mark.parametrize("service", launcher.SERVICES)
def test_each_service_openapi_document_is_valid_openapi_3_1(service: str) -> None:
    spec = TestClient(_app(service)).get("/openapi.json").raise_for_status().json()  # built, never started
    assert spec["openapi"].startswith("3.1.")
    openapi_spec_validator.validate(spec)


def _app(service: str) -> FastAPI:
    settings = launcher.settings_for(service, mongodb_url=asyncapi.UNUSED_STORE)
    app: FastAPI = importlib.import_module(f"services.{service}.app").create_app(settings)
    return app
