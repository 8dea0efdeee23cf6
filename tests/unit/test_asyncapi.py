"""AsyncAPI: each service documents what it consumes and publishes; docs/asyncapi.yaml is current."""

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import yaml
from referencing.jsonschema import DRAFT202012

from mutu import asyncapi
from shared import messaging
from shared.contract import envelope, events
from tests import builders

DOCS = Path(__file__).parents[2] / "docs" / "asyncapi.yaml"


@pytest.fixture(scope="module")
def served() -> dict[str, dict[str, Any]]:
    return {service: asyncapi.served(service) for service in ("training", "survey", "evaluation", "rewards")}


def test_committed_document_is_current() -> None:
    assert DOCS.read_text() == asyncapi.render(), (
        "run `.venv/bin/mutu asyncapi` and commit docs/asyncapi.yaml"
    )


def test_each_service_documents_its_subscriptions_and_publications(served: dict[str, dict[str, Any]]) -> None:
    operations = {service: set(doc["operations"]) for service, doc in served.items()}
    assert "rewards.receiveRewardTriggered" in operations["rewards"]
    assert "rewards.sendRewardPointsGranted" in operations["rewards"]
    assert "evaluation.receiveTrainingCompleted" in operations["evaluation"]
    assert "evaluation.sendRewardTriggered" in operations["evaluation"]
    assert "training.receiveRetrainingRecommended" in operations["training"]
    assert "training.sendTrainingCompleted" in operations["training"]
    assert "survey.sendSurveySubmitted" in operations["survey"]
    assert all(op.startswith(f"{service}.") for service, ops in operations.items() for op in ops)
    assert set(served["rewards"]["channels"]) == {
        "evaluation.reward_triggered",
        "rewards.points_granted",
        "rewards.redeemed",
        "rewards.evaluation.reward_triggered",  # its work queue
    }


def test_every_event_type_is_in_the_combined_document() -> None:
    doc = yaml.safe_load(DOCS.read_text())
    for event in events.ALL:
        channel = doc["channels"][event.routing_key]
        assert channel["address"] == event.routing_key
        assert set(channel["messages"]) == {event.__name__}
        assert f"{event.__name__}CloudEvent" in doc["components"]["schemas"]
    for planned in (events.RosterChanged, events.RetrainingWithdrawn):
        assert "No Mutu service publishes it yet" in doc["channels"][planned.routing_key]["description"]


def test_bindings_sit_where_the_amqp_binding_puts_them() -> None:
    """deliveryMode on a message binding made the official parser refuse the whole document."""
    doc = yaml.safe_load(DOCS.read_text())
    for message in doc["components"]["messages"].values():
        assert set(message["bindings"]["amqp"]) <= {"contentEncoding", "messageType", "bindingVersion"}
        assert message["contentType"] == envelope.CONTENT_TYPE
    for operation_id, operation in doc["operations"].items():
        binding = operation["bindings"]["amqp"]
        channel = doc["channels"][operation["channel"]["$ref"].removeprefix("#/channels/")]["bindings"][
            "amqp"
        ]
        if operation["action"] == "send":
            assert binding["deliveryMode"] == 2, operation_id
            assert channel["is"] == "routingKey"
            assert channel["exchange"] == {
                "name": "mutu.events",
                "type": "topic",
                "durable": True,
                "autoDelete": False,
            }
        else:
            assert binding["ack"] is True, operation_id
            assert channel["is"] == "queue"
            service, event = operation_id.split(".", 1)
            queue = messaging.queue_for(service, events.BY_TYPE[event.removeprefix("receive")])
            assert channel["queue"]["name"] == queue.name
            assert channel["x-arguments"]["x-queue-type"] == "quorum"
            assert channel["x-arguments"]["x-dead-letter-exchange"] == "mutu.dlx"
            assert channel["x-arguments"]["x-delivery-limit"] == messaging.BROKER_DELIVERY_LIMIT
            assert channel["x-bindings"] == [{"exchange": "mutu.events", "routingKey": queue.routing_key}]


def test_document_is_asyncapi_3_1_and_every_reference_resolves() -> None:
    doc = yaml.safe_load(DOCS.read_text())
    assert doc["asyncapi"] == "3.1.0"
    for ref in _refs(doc):
        node: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict), ref


@pytest.mark.parametrize(
    "data", [build() for build in builders.EXAMPLES.values()], ids=lambda d: type(d).__name__
)
def test_payload_schema_accepts_a_real_event_and_refuses_a_broken_one(data: Any) -> None:
    doc = yaml.safe_load(DOCS.read_text())
    registry = referencing.Registry().with_resource("urn:mutu", DRAFT202012.create_resource(doc))
    name = type(data).__name__
    validator = jsonschema.Draft202012Validator(
        {"$ref": f"urn:mutu#/components/schemas/{name}CloudEvent"}, registry=registry
    )
    event = json.loads(envelope.to_json(envelope.wrap(data, source="urn:test")))
    validator.validate(event)
    event["data"]["unexpected"] = 1
    assert not validator.is_valid(event)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
