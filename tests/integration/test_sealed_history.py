"""Sealed history on the real driver and store: open parts stay small, states and reads see it whole."""

import datetime as dt
from collections.abc import Callable, Mapping
from typing import ClassVar

import pytest
from pydantic import Field

from services.evaluation import decisions, handlers, rules
from services.evaluation.repository import MongoPeople
from services.rewards import handlers as rewards
from services.rewards.repository import MongoAccounts, MongoBoards, MongoLedgerPages
from shared.contract.calendar import Calendar
from shared.contract.identifiers import field_key
from shared.messaging.outbox import OutboxRelay
from shared.persistence import sealed
from shared.persistence.aggregates import Aggregates
from shared.persistence.state_store import Outcome, State, StateStore
from shared.persistence.storage import Store
from tests.builders import a_reward_triggered, a_training_completed, random_nip, wrapped

pytestmark = pytest.mark.integration
RULES = rules.load()


class Diary(State):
    sealed_maps: ClassVar[Mapping[str, int]] = {"days": 4}

    days: dict[str, int] = Field(default_factory=dict)
    total: int = 0


def noted(event_id: str, value: int) -> Callable[[Diary], Outcome[Diary]]:
    return lambda d: Outcome(
        d.model_copy(update={"days": d.days | {field_key(event_id): value}, "total": d.total + value})
    )


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


async def test_a_long_history_is_stored_sealed_and_read_whole_and_a_late_resend_counts_once(
    store: Store, relay: OutboxRelay
) -> None:
    clock = Clock()
    aggregates = Aggregates(
        store.collection("diaries"), relay, inbox_retention=dt.timedelta(days=30), clock=clock
    )
    diaries = StateStore(aggregates, Diary)
    ids = [f"ev-{i}" for i in range(30)]
    for i, event_id in enumerate(ids):
        assert await diaries.update("d", noted(event_id, i), event_id=event_id)
    raw = await aggregates.collection.find_one({"_id": "d"}) or {}
    assert len(raw["days"]) < 8  # the open part
    assert len(raw[sealed.FIELD]["days"]["pages"]) == (30 - len(raw["days"])) // 4
    diary = await diaries.get("d")
    assert diary is not None
    assert list(diary.days) == [field_key(e) for e in ids]
    assert diary.total == sum(range(30))

    clock.now += dt.timedelta(days=31)  # past the inbox window: natural keys, sealed or open, still hold
    for i, event_id in enumerate(ids):
        assert not await diaries.update("d", noted(event_id, i), event_id=event_id)
    diary = await diaries.get("d")
    assert diary is not None
    assert diary.total == sum(range(30))


async def test_a_changed_sealed_entry_is_kept_changed(store: Store, relay: OutboxRelay) -> None:
    diaries = StateStore(Aggregates(store.collection("diaries"), relay), Diary)
    for i in range(12):
        await diaries.update("d", noted(f"ev-{i}", i))
    first = field_key("ev-0")
    await diaries.update("d", lambda d: Outcome(d.model_copy(update={"days": d.days | {first: 100}})))
    diary = await diaries.get("d")
    assert diary is not None
    assert diary.days[first] == 100
    assert len(diary.days) == 12


async def test_a_person_with_a_long_record_keeps_open_recommendations_findable(
    store: Store, relay: OutboxRelay
) -> None:
    people = MongoPeople(Aggregates(store.collection("people"), relay))
    await people.create_indexes()
    nip = random_nip()
    failed = wrapped(a_training_completed(nip=nip, score=40, passed=False, program_id="ethics-1"))
    passed = [wrapped(a_training_completed(nip=nip, program_id=f"p-{i}")) for i in range(20)]
    for completed in [failed, *passed]:
        await handlers.evaluate_training(completed, people=people, rules=RULES)
    raw = await store.collection("people").find_one({"_id": nip}) or {}
    assert len(raw["firings"]) < 2 * 4 + 1  # one open recommendation may stay beside a page
    assert len(raw["trainings"]) < 2 * 4
    listed = [firing async for _, firing in people.recommendations(open_only=False)]
    [recommendation] = [f for f in listed if f.is_recommendation]
    assert recommendation.status == "open"
    assert await people.holding(field_key(recommendation.id)) == nip  # open ones stay in place
    person = await people.get(nip)
    assert person is not None
    assert len(person.trainings) == 21
    assert sum(1 for f in person.firings.values() if f.type == "RewardTriggered") == 21  # +10 each, 20 JP
    [(found, _)] = await people.passers(program_id="p-0")
    assert found == nip
    again = await people.update(
        nip, lambda p: decisions.on_training(p, passed[0], RULES), event_id=passed[0].id
    )
    assert not again  # its training was sealed: still known

    key = field_key(recommendation.id)
    done = recommendation.model_copy(update={"status": "done"})
    await people.update(nip, lambda p: Outcome(p.model_copy(update={"firings": p.firings | {key: done}})))
    for i in range(20, 30):  # more history after it closed
        await handlers.evaluate_training(
            wrapped(a_training_completed(nip=nip, program_id=f"p-{i}")), people=people, rules=RULES
        )
    assert await people.holding(key) == nip  # a closed one is found by its id too (GET /recommendations/{id})


async def test_an_account_with_sealed_entries_books_each_cause_once(store: Store, relay: OutboxRelay) -> None:
    accounts = MongoAccounts(Aggregates(store.collection("accounts"), relay))
    pages = MongoLedgerPages(store)
    boards = MongoBoards(Aggregates(store.collection("leaderboards"), relay))
    nip = random_nip()
    triggers = [wrapped(a_reward_triggered(nip=nip, points=10)) for _ in range(20)]
    for trigger in [*triggers, *triggers]:
        await rewards.grant_points(
            trigger, accounts=accounts, pages=pages, boards=boards, calendar=Calendar()
        )
    account = await accounts.get(nip)
    assert account is not None
    assert (account.balance, len(account.entries)) == (200, 20)
    raw = await store.collection("accounts").find_one({"_id": nip}) or {}
    assert len(raw["entries"]) < 8
