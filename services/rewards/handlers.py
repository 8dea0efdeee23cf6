"""Rewards use cases as async verbs."""

from services.rewards import ledger
from shared import envelope, events
from shared.aggregates import Aggregates


async def grant_points(trigger: envelope.CloudEvent[events.RewardTriggered], *, accounts: Aggregates) -> bool:
    return await accounts.apply(trigger.data.nip, trigger.id, lambda doc: ledger.grant(doc, trigger))
