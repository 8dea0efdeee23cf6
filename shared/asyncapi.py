"""AsyncAPI 3.0 documents built from what a service consumes and publishes.

Channels are routing keys on the topic exchange `mutu.events`; each message's payload is the
CloudEvent JSON Schema of its type (`shared.schemas.schema_for`) as `<Type>CloudEvent`, with the
pydantic `$defs` (the `data` models) moved to `components/schemas` so every `$ref` resolves.
"""

from collections.abc import Iterable, Sequence
from typing import Any

import yaml
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from shared import envelope, events, schemas

VERSION = "0.1.0"
EXCHANGE = {"name": "mutu.events", "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"}
Service = tuple[str, Sequence[type[events.Event]], Sequence[type[events.Event]]]


def document(services: Iterable[Service]) -> dict[str, Any]:
    """One document for (service, consumed, produced) triples: one service or all of them."""
    services = list(services)
    names = [name for name, _, _ in services]
    used = {e.__name__: e for _, consumed, produced in services for e in (*consumed, *produced)}
    used = {name: used[name] for name in sorted(used, key=list(events.BY_TYPE).index)}
    component_schemas: dict[str, Any] = {}
    for event in used.values():
        _add_schema(component_schemas, event)
    operations: dict[str, Any] = {}
    for name, consumed, produced in services:
        for event in produced:
            operations[f"{name}.send{event.__name__}"] = _operation("send", name, event)
        for event in consumed:
            operations[f"{name}.receive{event.__name__}"] = _operation("receive", name, event)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": f"Mutu events ({', '.join(names)})",
            "version": VERSION,
            "description": (
                "CloudEvents 1.0 in structured JSON mode on the durable topic exchange mutu.events: "
                "routing key = channel address, AMQP message_id = event id, persistent delivery. "
                "Consumers dedupe on the event id; failures are dead-lettered to mutu.dlx."
            ),
        },
        "defaultContentType": envelope.CONTENT_TYPE,
        "servers": {
            "rabbitmq": {
                "host": "rabbitmq:5672",
                "pathname": "/",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
            }
        },
        "channels": {e.routing_key: _channel(e) for e in used.values()},
        "operations": operations,
        "components": {"messages": {n: _message(e) for n, e in used.items()}, "schemas": component_schemas},
    }


def _channel(event: type[events.Event]) -> dict[str, Any]:
    return {
        "address": event.routing_key,
        "messages": {event.__name__: {"$ref": f"#/components/messages/{event.__name__}"}},
        "bindings": {"amqp": {"is": "routingKey", "exchange": EXCHANGE, "bindingVersion": "0.3.0"}},
    }


def _message(event: type[events.Event]) -> dict[str, Any]:
    return {
        "name": event.__name__,
        "title": event.__name__,
        "summary": (event.__doc__ or event.__name__).strip().splitlines()[0],
        "contentType": envelope.CONTENT_TYPE,
        "payload": {"$ref": f"#/components/schemas/{event.__name__}CloudEvent"},
        "bindings": {"amqp": {"deliveryMode": 2, "messageType": event.__name__, "bindingVersion": "0.3.0"}},
    }


def _operation(action: str, service: str, event: type[events.Event]) -> dict[str, Any]:
    channel = f"#/channels/{event.routing_key}"
    operation: dict[str, Any] = {
        "action": action,
        "channel": {"$ref": channel},
        "messages": [{"$ref": f"{channel}/messages/{event.__name__}"}],
    }
    if action == "receive":
        queue = f"{service}.{event.routing_key}"
        operation["summary"] = f"{service} consumes from queue {queue} (dead letters: {queue}.dlq)"
        operation["bindings"] = {"amqp": {"ack": True, "bindingVersion": "0.3.0"}}
    else:
        operation["summary"] = f"{service} publishes with publisher confirms (through its outbox)"
    return operation


def _add_schema(into: dict[str, Any], event: type[events.Event]) -> None:
    schema = schemas.schema_for(event)
    schema.pop("$schema", None)
    for name, definition in _rewrite(schema.pop("$defs", {})).items():
        if into.setdefault(name, definition) != definition:
            msg = f"two different schemas named {name}"
            raise ValueError(msg)
    into[f"{event.__name__}CloudEvent"] = _rewrite(schema)


def _rewrite(node: Any) -> Any:
    """`#/$defs/X` -> `#/components/schemas/X`, recursively."""
    if isinstance(node, dict):
        return {
            k: v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _rewrite(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(v) for v in node]
    return node


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002 - PyYAML's hook
        return True


def to_yaml(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100)


def router(
    service: str, consumed: Sequence[type[events.Event]], produced: Sequence[type[events.Event]]
) -> APIRouter:
    """GET /asyncapi.json and /asyncapi.yaml: this service's channels, read when asked."""
    api = APIRouter(tags=["operations"])

    @api.get("/asyncapi.json", summary="AsyncAPI 3.0 document of this service's events")
    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(document([(service, consumed, produced)]))

    @api.get("/asyncapi.yaml", summary="the same document as YAML")
    async def asyncapi_yaml() -> Response:
        return Response(to_yaml(document([(service, consumed, produced)])), media_type="application/yaml")

    return api
