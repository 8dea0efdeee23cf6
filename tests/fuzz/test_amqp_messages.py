"""Malformed messages put straight on a service's queue end in its .dlq; the consumer keeps flowing."""

import aio_pika
import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from shared import messaging
from shared.contract import envelope, events
from tests import infra
from tests.builders import a_reward_triggered, random_nip, structured, wrapped
from tests.fuzz import malformed

pytestmark = pytest.mark.e2e

EXAMPLES = 80
QUEUE = messaging.queue_name("rewards", events.RewardTriggered)


def generated_bodies() -> list[bytes]:
    """Hypothesis draws the cases; they are sent afterwards on one channel."""
    bodies: list[bytes] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(body=malformed.structured_bodies(structured(a_reward_triggered())))
    def collect(body: bytes) -> None:
        bodies.append(body)

    collect()
    return bodies


async def dead_letters(channel: aio_pika.abc.AbstractChannel) -> int:
    """Messages in the .dlq now (a plain channel: a robust one caches passive declarations)."""
    queue = await channel.declare_queue(f"{QUEUE}.dlq", passive=True)
    return queue.declaration_result.message_count or 0


async def test_malformed_messages_are_dead_lettered_and_valid_ones_still_flow(
    stack: infra.Stack, keys: infra.Keys, amqp_url: str, http: httpx.AsyncClient
) -> None:
    bodies = generated_bodies()
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        before = await dead_letters(channel)
        for index, body in enumerate(bodies):
            message = aio_pika.Message(
                body, message_id=f"fuzz-{index}", content_type=envelope.CONTENT_TYPE, delivery_mode=2
            )
            await channel.default_exchange.publish(message, routing_key=QUEUE)

        async def all_dead_lettered() -> int | None:
            count = await dead_letters(channel)
            return count if count >= before + len(bodies) else None

        await infra.eventually(all_dead_lettered, timeout=60)

        nip = random_nip()
        good = wrapped(a_reward_triggered(nip=nip, points=7))
        await channel.default_exchange.publish(
            aio_pika.Message(envelope.to_json(good), message_id=good.id, delivery_mode=2), routing_key=QUEUE
        )

        async def balance() -> int | None:
            answer = await http.get(
                f"{stack.urls['rewards']}/asn/{nip}/points",
                headers={"Authorization": f"Bearer {keys.reader}"},
            )
            return answer.json()["balance"] or None

        assert await infra.eventually(balance) == 7
        assert await dead_letters(channel) == before + len(bodies)
    print(f"\nmalformed AMQP messages to {QUEUE}: {len(bodies)} cases, all dead-lettered")
