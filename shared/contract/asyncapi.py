"""AsyncAPI 3.1 documents built from what a service consumes and publishes.

Each event type has a channel (its routing key on the topic exchange `mutu.events`) that its
producer sends to; each consuming service has a channel for its work queue (quorum, dead-letter
exchange `mutu.dlx`) that it receives from. A message's payload is the CloudEvent JSON Schema of
its type (`shared.contract.schemas.schema_for`) as `<Type>CloudEvent`, with the pydantic `$defs` (the
`data` models) moved to `components/schemas` so every `$ref` resolves. Bindings follow the AMQP
binding 0.3.0: exchange and queue on channels, delivery mode and acks on operations, only the
message type on messages. The official parser (`tools/asyncapi`) accepts them with no error.
"""

from collections.abc import Iterable, Sequence
from typing import Any

import yaml
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from faststream.rabbit import RabbitQueue

from shared import messaging
from shared.contract import envelope, events, schemas

ASYNCAPI = "3.1.0"
VERSION = "0.2.0"
BINDING = "0.3.0"
EXCHANGE = {"name": messaging.EXCHANGE.name, "type": "topic", "durable": True, "autoDelete": False}
SEND_BINDING = {"deliveryMode": 2, "mandatory": True, "timestamp": True, "bindingVersion": BINDING}
Service = tuple[str, Sequence[type[events.Event]], Sequence[type[events.Event]]]

DESCRIPTION = (
    "Every message is a CloudEvents 1.0 event in structured JSON mode (content type "
    "application/cloudevents+json): the body carries the attributes `specversion` (1.0), `id`, "
    "`source` (urn:mutu:<service> or the integrator's URI), `type` (the message name), `time` "
    "(RFC 3339) and the `traceparent` extension (W3C trace context), and the event's `data`. "
    "It is published to the durable topic exchange mutu.events with the channel address as "
    "routing key, AMQP message_id = the CloudEvent id, delivery mode 2 (persistent), with "
    "publisher confirms. Consumers deduplicate on the id. A subscriber binds a durable queue of "
    "its own to mutu.events with the routing keys it wants; Mutu's own work queues are listed "
    "as channels too (quorum queues whose failures are dead-lettered to mutu.dlx)."
)
AMQP_HEADERS = {
    "type": "object",
    "description": "AMQP application headers (the AMQP properties are described in the bindings).",
    "properties": {
        "traceparent": {
            "type": "string",
            "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
            "description": "W3C trace context of the publishing span, when it was traced.",
        }
    },
    "additionalProperties": True,
}


def document(services: Iterable[Service], *, every_event: bool = False) -> dict[str, Any]:
    """One document for (service, consumed, produced) triples; `every_event` adds all channels."""
    services = list(services)
    used = {e for _, consumed, produced in services for e in (*consumed, *produced)}
    shown = [e for e in events.ALL if every_event or e in used]
    published = {e for _, _, produced in services for e in produced}
    channels = {e.routing_key: _event_channel(e, published=e in published) for e in shown}
    operations: dict[str, Any] = {}
    for name, consumed, produced in services:
        for event in produced:
            operations[f"{name}.send{event.__name__}"] = _send(name, event)
        for event in consumed:
            queue = messaging.queue_for(name, event)
            channels[queue.name] = _queue_channel(name, queue, event)
            operations[f"{name}.receive{event.__name__}"] = _receive(name, queue, event)
    component_schemas: dict[str, Any] = {"AmqpHeaders": AMQP_HEADERS}
    for event in shown:
        _add_schema(component_schemas, event)
    return {
        "asyncapi": ASYNCAPI,
        "info": {
            "title": f"Mutu events ({', '.join(name for name, _, _ in services)})",
            "version": VERSION,
            "description": DESCRIPTION,
        },
        "defaultContentType": envelope.CONTENT_TYPE,
        "servers": {
            "rabbitmq": {
                "host": "rabbitmq:5672",
                "pathname": "/",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The broker at AMQP_URL (the Docker deployment uses the virtual host mutu).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": {e.__name__: _message(e) for e in shown},
            "schemas": component_schemas,
            "correlationIds": {
                "eventId": {
                    "description": "The CloudEvent id, also the AMQP message_id: consumers dedupe on it.",
                    "location": "$message.payload#/id",
                }
            },
        },
    }


def _event_channel(event: type[events.Event], *, published: bool) -> dict[str, Any]:
    said = "" if published else " No Mutu service publishes it yet: the contract comes ahead of its producer."
    return {
        "address": event.routing_key,
        "title": event.routing_key,
        "description": f"{event.__name__} events on the topic exchange mutu.events.{said}",
        "messages": {event.__name__: {"$ref": f"#/components/messages/{event.__name__}"}},
        "bindings": {"amqp": {"is": "routingKey", "exchange": EXCHANGE, "bindingVersion": BINDING}},
    }


def _queue_channel(service: str, queue: RabbitQueue, event: type[events.Event]) -> dict[str, Any]:
    arguments = dict(queue.arguments or {})
    return {
        "address": queue.name,
        "title": f"queue {queue.name}",
        "description": (
            f"{service}'s durable {arguments.get('x-queue-type', 'classic')} queue, bound to "
            f"mutu.events with binding key {event.routing_key}. A message {service} cannot process "
            f"(invalid, or its handler failed DELIVERY_LIMIT times) is dead-lettered to mutu.dlx "
            f"with routing key {event.routing_key} and lands in {queue.name}.dlq; the queue's own "
            f"x-delivery-limit ({arguments.get('x-delivery-limit')}) is the broker's safety net."
        ),
        "messages": {event.__name__: {"$ref": f"#/components/messages/{event.__name__}"}},
        "bindings": {
            "amqp": {
                "is": "queue",
                "queue": {
                    "name": queue.name,
                    "durable": queue.durable,
                    "exclusive": queue.exclusive,
                    "autoDelete": queue.auto_delete,
                },
                "bindingVersion": BINDING,
                "x-arguments": arguments,
                "x-bindings": [{"exchange": messaging.EXCHANGE.name, "routingKey": event.routing_key}],
                "x-dead-letter-queue": f"{queue.name}.dlq",
            }
        },
    }


def _message(event: type[events.Event]) -> dict[str, Any]:
    return {
        "name": event.__name__,
        "title": event.__name__,
        "summary": (event.__doc__ or f"A {event.__name__} event.").strip().splitlines()[0],
        "contentType": envelope.CONTENT_TYPE,
        "correlationId": {"$ref": "#/components/correlationIds/eventId"},
        "headers": {"$ref": "#/components/schemas/AmqpHeaders"},
        "payload": {"$ref": f"#/components/schemas/{event.__name__}CloudEvent"},
        "bindings": {"amqp": {"messageType": event.__name__, "bindingVersion": BINDING}},
    }


def _send(service: str, event: type[events.Event]) -> dict[str, Any]:
    channel = f"#/channels/{event.routing_key}"
    return {
        "action": "send",
        "channel": {"$ref": channel},
        "messages": [{"$ref": f"{channel}/messages/{event.__name__}"}],
        "summary": f"{service} publishes {event.__name__} through its outbox, with publisher confirms",
        "description": "Persistent, mandatory, timestamped; no per-message expiration: events do not expire.",
        "bindings": {"amqp": SEND_BINDING},
    }


def _receive(service: str, queue: RabbitQueue, event: type[events.Event]) -> dict[str, Any]:
    channel = f"#/channels/{queue.name}"
    return {
        "action": "receive",
        "channel": {"$ref": channel},
        "messages": [{"$ref": f"{channel}/messages/{event.__name__}"}],
        "summary": f"{service} consumes {event.__name__} from queue {queue.name}",
        "description": "Acked once the handler's writes are durable; redeliveries are deduplicated on id.",
        "bindings": {"amqp": {"ack": True, "bindingVersion": BINDING}},
    }


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

    @api.get("/asyncapi.json", summary="AsyncAPI 3.1 document of this service's events")
    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(document([(service, consumed, produced)]))

    @api.get("/asyncapi.yaml", summary="the same document as YAML")
    async def asyncapi_yaml() -> Response:
        return Response(to_yaml(document([(service, consumed, produced)])), media_type="application/yaml")

    return api
