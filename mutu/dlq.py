"""`mutu dlq list|replay`: inspect dead letters and send them back to the queue they died in.

Listing takes every message of a dead-letter queue without acknowledging it and closes the
channel, so the broker puts them all back: nothing is consumed. Replaying republishes a dead
letter of `<queue>.dlq` straight to `<queue>` (through the default exchange, so only the
consumer that failed sees it again) with its body and message id (consumers are idempotent),
waits for the broker's confirm, and only then removes it from the dead-letter queue.
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from aiormq.exceptions import ChannelNotFoundEntity

from mutu.services import EVENT_SERVICE_NAMES
from shared import messaging
from shared.contract import events, strictjson
from shared.settings import ServiceSettings

DROPPED_HEADERS = (messaging.REASON, messaging.ERROR, messaging.QUEUE, "x-death", "x-delivery-count")


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    id: str
    type: str
    routing_key: str
    reason: str
    error: str


def candidate_queues(services: Iterable[str] = EVENT_SERVICE_NAMES) -> list[str]:
    """Every `<service>.<routing key>.dlq` name the services could have declared."""
    return [f"{s}.{e.routing_key}.dlq" for s in services for e in events.ALL]


async def existing_queues(connection: AbstractRobustConnection, names: Iterable[str]) -> list[str]:
    """The names that exist on the broker (a passive declare of a missing queue closes its channel)."""
    found = []
    channel = await connection.channel()
    for name in names:
        try:
            await channel.declare_queue(name, passive=True)
        except ChannelNotFoundEntity:
            channel = await connection.channel()
        else:
            found.append(name)
    await channel.close()
    return found


def describe(queue: str, message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    event_type = "-"
    try:  # a dead letter may be anything, deep nesting included
        body = strictjson.loads(message.body)
        event_type = str(body.get("type", "-"))[:64] if isinstance(body, dict) else "-"
    except strictjson.NotJsonError:
        pass
    reason = headers.get(messaging.REASON) or _death_reason(headers) or "-"
    return DeadLetter(
        queue=queue,
        id=message.message_id or "-",
        type=event_type,
        routing_key=_event_routing_key(queue),
        reason=str(reason),
        error=str(headers.get(messaging.ERROR, "-")),
    )


def _event_routing_key(dead_letter_queue: str) -> str:
    """`rewards.evaluation.reward_triggered.dlq` -> `evaluation.reward_triggered`."""
    return dead_letter_queue.removesuffix(".dlq").partition(".")[2]


def _death_reason(headers: dict[str, Any]) -> str | None:
    """The broker's own reason (e.g. delivery_limit) when the broker dead-lettered the message."""
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return str(deaths[0].get("reason", "")) or None
    return None


async def _take_all(channel: AbstractChannel, queue: str) -> list[AbstractIncomingMessage]:
    """Every message of the queue, unacknowledged (closing the channel puts them back)."""
    source = await channel.declare_queue(queue, passive=True)
    taken = []
    while (message := await source.get(no_ack=False, fail=False)) is not None:
        taken.append(message)
    return taken


async def list_dead_letters(amqp_url: str, queue: str | None = None) -> list[DeadLetter]:
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        queues = [queue] if queue else await existing_queues(connection, candidate_queues())
        found = []
        for name in queues:
            channel = await connection.channel()
            found += [describe(name, m) for m in await _take_all(channel, name)]
            await channel.close()
        return found


async def replay(amqp_url: str, queue: str | None = None, event_id: str | None = None) -> list[DeadLetter]:
    """Republish matching dead letters to their work queue, then remove them; returns what was replayed."""
    connection = await aio_pika.connect_robust(amqp_url)
    replayed = []
    async with connection:
        queues = [queue] if queue else await existing_queues(connection, candidate_queues())
        for name in queues:
            channel = await connection.channel(publisher_confirms=True)
            work_queue = name.removesuffix(".dlq")
            for message in await _take_all(channel, name):
                if event_id is not None and message.message_id != event_id:
                    continue
                await channel.default_exchange.publish(_again(message), routing_key=work_queue, timeout=10)
                await message.ack()
                replayed.append(describe(name, message))
            await channel.close()
    return replayed


def _again(message: AbstractIncomingMessage) -> aio_pika.Message:
    headers = {k: v for k, v in (message.headers or {}).items() if k not in DROPPED_HEADERS}
    return aio_pika.Message(
        message.body,
        headers=headers,
        message_id=message.message_id,
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


def _print(rows: list[DeadLetter], *, as_json: bool, verb: str) -> None:
    if as_json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
        return
    for row in rows:
        print(f"{row.queue}  {row.id}  {row.type}  reason={row.reason}  error={row.error}")
    print(f"{verb}: {len(rows)} dead letter(s)")


def _run_list(args: argparse.Namespace) -> None:
    rows = asyncio.run(list_dead_letters(ServiceSettings().amqp_url, args.queue))
    _print(rows, as_json=args.json, verb="dlq list")


def _run_replay(args: argparse.Namespace) -> None:
    rows = asyncio.run(replay(ServiceSettings().amqp_url, args.queue, args.id))
    _print(rows, as_json=args.json, verb="dlq replay")
    if args.id and not rows:
        sys.exit(f"no dead letter with id {args.id}")


def add_to(commands: Any) -> None:
    dlq = commands.add_parser("dlq", help="inspect and replay dead letters (uses AMQP_URL)")
    sub = dlq.add_subparsers(dest="dlq_command", required=True)
    show = sub.add_parser("list", help="show dead letters without consuming them")
    show.add_argument("--queue", help="one dead-letter queue, e.g. rewards.evaluation.reward_triggered.dlq")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_run_list)
    again = sub.add_parser("replay", help="send dead letters back to the queue they died in and remove them")
    again.add_argument("--queue", help="only this dead-letter queue")
    again.add_argument("--id", help="only the dead letter with this message id")
    again.add_argument("--json", action="store_true")
    again.set_defaults(handler=_run_replay)
