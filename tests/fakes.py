"""In-memory adapters of the services' ports: real classes (not mocks), proven by the contract tests."""

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

from services.evaluation.model import Firing, Person, TallyShard, UnitQuarter
from services.rewards.model import Account, Board, LedgerEntry
from shared import envelope
from shared.persistence.state_store import Outcome, State


class InMemoryStates[S: State]:
    """States by key; every decision's events are recorded in `published`, in order."""

    def __init__(self, model: type[S]) -> None:
        self._model = model
        self.states: dict[Any, S] = {}
        self.published: list[envelope.CloudEvent[Any]] = []
        self._seen: set[tuple[Any, str]] = set()  # (document, event id): the inbox is per document

    async def get(self, key: Any) -> S | None:
        return self.states.get(key)

    async def update(
        self, key: Any, decide: Callable[[S], Outcome[S] | None], *, event_id: str | None = None
    ) -> bool:
        if event_id is not None and (key, event_id) in self._seen:
            return False
        outcome = decide(self.states.get(key) or self._model())
        if outcome is not None:
            self.states[key] = outcome.state
            self.published += outcome.publish
        if event_id is not None:
            self._seen.add((key, event_id))
        return True


class InMemoryAccounts(InMemoryStates[Account]):
    def __init__(self) -> None:
        super().__init__(Account)

    async def earned(self, nip: str, period: str) -> tuple[int, str | None]:
        account = self.states.get(nip) or Account()
        return account.earned.get(period, 0), account.unit_id

    async def all(self) -> AsyncIterator[Account]:
        for account in list(self.states.values()):
            yield account


class InMemoryLedgerPages:
    def __init__(self) -> None:
        self.pages: dict[tuple[str, int], dict[str, LedgerEntry]] = {}

    async def find(self, nip: str, slot: str) -> LedgerEntry | None:
        return next((p[slot] for (n, _), p in self.pages.items() if n == nip and slot in p), None)

    async def save(self, nip: str, page: int, entries: Mapping[str, LedgerEntry]) -> None:
        self.pages.setdefault((nip, page), {}).update(entries)

    async def entries(self, nip: str, pages: Iterable[int]) -> list[LedgerEntry]:
        return [e for page in set(pages) for e in self.pages.get((nip, page), {}).values()]

    async def all(self) -> AsyncIterator[tuple[str, LedgerEntry]]:
        for (nip, _), page in list(self.pages.items()):
            for entry in page.values():
                yield nip, entry


class InMemoryBoards(InMemoryStates[Board]):
    def __init__(self) -> None:
        super().__init__(Board)


class InMemoryPeople(InMemoryStates[Person]):
    def __init__(self) -> None:
        super().__init__(Person)

    async def nips(self) -> AsyncIterator[str]:
        for nip in list(self.states):
            yield nip

    async def recommendations(
        self, *, open_only: bool
    ) -> AsyncIterator[tuple[dict[str, str | None], Firing]]:
        for nip, person in list(self.states.items()):
            if open_only and not person.open_recs:
                continue
            for firing in person.firings.values():
                yield {"nip": nip}, firing


class InMemoryUnitQuarters(InMemoryStates[UnitQuarter]):
    def __init__(self) -> None:
        super().__init__(UnitQuarter)

    async def recommendations(self) -> AsyncIterator[tuple[dict[str, str | None], Firing]]:
        for quarter in list(self.states.values()):
            for firing in quarter.firings.values():
                yield {"unit_id": quarter.unit_id}, firing


class InMemoryTallies(InMemoryStates[TallyShard]):
    def __init__(self) -> None:
        super().__init__(TallyShard)

    async def shards(self, unit_id: str | None, periods: list[str]) -> list[TallyShard]:
        return [s for s in self.states.values() if s.period in periods and unit_id in {None, s.unit_id}]


# --- survey -------------------------------------------------------------------------------------

from services.survey.model import (  # noqa: E402 - one section per service
    Feedback,
    FeedbackTally,
    Forum,
    Response,
    ResponseTally,
)
from services.survey.repository import (  # noqa: E402
    FeedbackTallyDecision,
    ResponseTallyDecision,
)


class InMemoryResponses(InMemoryStates[Response]):
    def __init__(self) -> None:
        super().__init__(Response)


class InMemoryFeedbackLog(InMemoryStates[Feedback]):
    def __init__(self) -> None:
        super().__init__(Feedback)


class InMemoryForums(InMemoryStates[Forum]):
    def __init__(self) -> None:
        super().__init__(Forum)

    async def listed(self, unit_id: str | None) -> list[Forum]:
        return [
            forum.model_copy(update={"items": {}})
            for forum in list(self.states.values())[:200]
            if unit_id in {None, "", forum.unit_id}
        ]


class InMemoryResponseTallies:
    """One tally per unit and quarter (the Mongo adapter spreads them over shards)."""

    def __init__(self) -> None:
        self.tallies = InMemoryStates(ResponseTally)

    async def update(
        self, unit_id: str, period: str, response_id: str, decide: ResponseTallyDecision, *, event_id: str
    ) -> bool:
        del response_id
        return await self.tallies.update((unit_id, period), decide, event_id=event_id)

    async def shards(self, unit_id: str, period: str) -> list[ResponseTally]:
        found = await self.tallies.get((unit_id, period))
        return [] if found is None else [found]


class InMemoryFeedbackTallies:
    def __init__(self) -> None:
        self.tallies = InMemoryStates(FeedbackTally)

    async def get(self, unit_id: str) -> FeedbackTally | None:
        return await self.tallies.get(unit_id)

    async def update(self, unit_id: str, decide: FeedbackTallyDecision, *, event_id: str) -> bool:
        return await self.tallies.update(unit_id, decide, event_id=event_id)
