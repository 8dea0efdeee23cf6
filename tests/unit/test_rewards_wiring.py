"""Rewards' subscription table on FastStream's test broker: a RewardTriggered reaches grant_points."""

from faststream.rabbit import TestRabbitBroker

from services.rewards import subscribers
from services.rewards.settings import RewardsSettings
from shared import messaging
from shared.contract import envelope
from shared.runtime import Runtime
from tests.builders import a_reward_triggered, random_nip, wrapped
from tests.fakes import InMemoryAccounts, InMemoryBoards, InMemoryLedgerPages


async def test_a_reward_triggered_on_its_routing_key_books_points(tmp_path: object) -> None:
    runtime = Runtime("rewards", RewardsSettings(mongodb_url="mongodb://127.0.0.1:1", var_dir=tmp_path))
    accounts = InMemoryAccounts()
    subscribers.subscribe(runtime, accounts=accounts, pages=InMemoryLedgerPages(), boards=InMemoryBoards())
    nip = random_nip()
    trigger = wrapped(a_reward_triggered(nip=nip, points=4))
    async with TestRabbitBroker(runtime.broker) as broker:
        await broker.publish(
            envelope.to_json(trigger),
            exchange=messaging.EXCHANGE,
            routing_key=trigger.data.routing_key,
            message_id=trigger.id,
            content_type=envelope.CONTENT_TYPE,
        )
    account = await accounts.get(nip)
    assert account is not None
    assert account.balance == 4
    assert runtime.consumed == [type(trigger.data)]
