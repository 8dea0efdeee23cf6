"""In-memory adapters of the services' ports: real classes (not mocks), proven by the contract tests."""

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

from services.evaluation.model import Firing, ForumQuarter, Person, QuarterClose, TallyShard, UnitQuarter
from services.rewards.model import Account, Board, LedgerEntry
from services.survey.model import EventClaim, Feedback, FeedbackTally, Forum, Response, ResponseTally, Ticket
from services.survey.repository import FeedbackTallyDecision, ResponseTallyDecision
from services.training.model import roster
from services.training.model.groups import Group
from services.training.model.people import Person as Trainee
from services.training.model.planning import Demand
from services.training.model.programmes import ProgramFullError, Programme, UnknownProgramError
from services.training.model.records import Record
from services.training.model.roster import Unit
from services.training.model.statements import Month
from services.training.repository import Repositories
from shared.contract import envelope
from shared.contract.identifiers import field_key
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
        self, *, open_only: bool, unit_id: str | None = None
    ) -> AsyncIterator[tuple[dict[str, str | None], Firing]]:
        for nip, person in list(self.states.items()):
            if (open_only and not person.open_recs) or unit_id not in {None, person.unit_id}:
                continue
            for firing in person.firings.values():
                yield {"nip": nip, "unit_id": person.unit_id}, firing

    async def holding(self, recommendation_key: str) -> str | None:
        return next((nip for nip, p in self.states.items() if recommendation_key in p.firings), None)

    async def passers(
        self, *, program_id: str | None = None, quarters: list[str] | None = None
    ) -> list[tuple[str, Person]]:
        return [
            (nip, person.model_copy(update={"firings": {}}))
            for nip, person in list(self.states.items())
            if program_id in {None, *person.programs}
            and (quarters is None or set(quarters) & set(person.pass_quarters))
        ]

    async def unindexed(self) -> AsyncIterator[str]:
        for nip, person in list(self.states.items()):
            if "programs" not in person.model_fields_set and any(t.passed for t in person.trainings.values()):
                yield nip


class InMemoryUnitQuarters(InMemoryStates[UnitQuarter]):
    def __init__(self) -> None:
        super().__init__(UnitQuarter)

    async def recommendations(
        self, *, unit_id: str | None = None
    ) -> AsyncIterator[tuple[dict[str, str | None], Firing]]:
        for quarter in list(self.states.values()):
            if unit_id not in {None, quarter.unit_id}:
                continue
            for firing in quarter.firings.values():
                yield {"unit_id": quarter.unit_id}, firing

    async def holding(self, recommendation_key: str) -> str | None:
        return next((key for key, q in self.states.items() if recommendation_key in q.firings), None)

    async def with_open(self, unit_id: str | None) -> list[UnitQuarter]:
        return [q for q in self.states.values() if q.open_recs > 0 and unit_id in {None, q.unit_id}]

    async def seated(self, program_id: str | None) -> list[UnitQuarter]:
        return [q for q in self.states.values() if any(f.seated_in(program_id) for f in q.firings.values())]


class InMemoryForumQuarters(InMemoryStates[ForumQuarter]):
    def __init__(self) -> None:
        super().__init__(ForumQuarter)

    async def of_period(self, unit_id: str | None, period: str) -> list[ForumQuarter]:
        return [q for q in self.states.values() if q.period == period and unit_id in {None, q.unit_id}]


class InMemoryQuarterCloses(InMemoryStates[QuarterClose]):
    def __init__(self) -> None:
        super().__init__(QuarterClose)

    async def latest_closed(self) -> str | None:
        return max((p for p, q in self.states.items() if q.closed_at is not None), default=None)


class InMemoryTallies(InMemoryStates[TallyShard]):
    def __init__(self) -> None:
        super().__init__(TallyShard)

    async def shards(self, unit_id: str | None, periods: list[str]) -> list[TallyShard]:
        return [s for s in self.states.values() if s.period in periods and unit_id in {None, s.unit_id}]


class InMemoryProgrammes(InMemoryStates[Programme]):
    """Training's catalogue; reads leave the seat map out, as the Mongo adapter's do."""

    def __init__(self) -> None:
        super().__init__(Programme)

    async def get(self, program_id: str) -> Programme | None:
        found = self.states.get(program_id)
        return None if found is None else found.model_copy(update={"program_id": program_id, "seats": None})

    async def by_ids(self, program_ids: Iterable[str]) -> dict[str, Programme]:
        return {i: p for i in set(program_ids) if (p := await self.get(i)) is not None}

    async def _all(self) -> list[Programme]:
        return [p for i in sorted(self.states) if (p := await self.get(i)) is not None]

    async def listing(
        self, *, competency: str | None, method: str | None, starts_after: dt.datetime | None
    ) -> list[Programme]:
        found = [
            p
            for p in await self._all()
            if competency in {None, "", p.competency}
            and method in {None, "", p.method}
            and (not starts_after or (p.starts_at is not None and p.starts_at > starts_after))
        ]
        return sorted(
            found, key=lambda p: (p.starts_at or dt.datetime.min.replace(tzinfo=dt.UTC), p.program_id)
        )

    async def upcoming_with_room(self, competency: str, now: dt.datetime, nip: str) -> list[Programme]:
        found = [
            p
            for p in await self._all()
            if p.competency == competency
            and p.starts_at is not None
            and p.starts_at > now
            and (p.enrolled < (p.capacity or 0) or field_key(nip) in (self.states[p.program_id].seats or {}))
        ]
        return sorted(found, key=lambda p: p.starts_at or now)[:20]

    async def take_seat(self, program_id: str, nip: str) -> tuple[Programme, bool]:
        state = self.states.get(program_id)
        if state is None:
            raise UnknownProgramError
        seats = state.seats or {}
        if field_key(nip) in seats:
            return await self._read(program_id), False
        if state.enrolled >= (state.capacity or 0):
            raise ProgramFullError
        self.states[program_id] = state.model_copy(
            update={"seats": seats | {field_key(nip): nip}, "enrolled_count": state.enrolled + 1}
        )
        return await self._read(program_id), True

    async def _read(self, program_id: str) -> Programme:
        found = await self.get(program_id)
        assert found is not None
        return found

    async def release_seat(self, program_id: str, nip: str) -> bool:
        state = self.states.get(program_id)
        seats = dict((state.seats if state else None) or {})
        if state is None or seats.pop(field_key(nip), None) is None:
            return False
        self.states[program_id] = state.model_copy(
            update={"seats": seats, "enrolled_count": state.enrolled - 1}
        )
        return True

    async def seat_holders(self, program_id: str) -> list[str] | None:
        state = self.states.get(program_id)
        return None if state is None else sorted((state.seats or {}).values())


class InMemoryTrainees(InMemoryStates[Trainee]):
    """Training's people (a person's record of enrolments and recommendations)."""

    def __init__(self) -> None:
        super().__init__(Trainee)

    async def units_of(self, nips: Iterable[str]) -> dict[str, str | None]:
        return {nip: self.states[nip].unit_id for nip in set(nips) if nip in self.states}

    async def many(self, nips: Iterable[str]) -> dict[str, Trainee]:
        return {nip: self.states[nip] for nip in set(nips) if nip in self.states}

    async def waiting(self, competency: str) -> list[str]:
        return [nip for nip in sorted(self.states) if competency in self.states[nip].waiting()][:500]

    async def holding(self, recommendation_id: str) -> list[str]:
        key = field_key(recommendation_id)
        return [nip for nip in sorted(self.states) if key in self.states[nip].recommendations]

    async def demand(self) -> list[Demand]:
        people: dict[str, int] = {}
        units: dict[str, set[str]] = {}
        for person in self.states.values():
            for code in person.waiting():
                people[code] = people.get(code, 0) + 1
            for rec in person.recommendations.values():
                if rec.status == "open" and rec.target == "unit" and rec.unit_id:
                    units.setdefault(rec.competency, set()).add(rec.unit_id)
        return [
            Demand(competency=code, people=people.get(code, 0), units=tuple(sorted(units.get(code, ()))))
            for code in sorted(set(people) | set(units))
        ]


class InMemoryUnits(InMemoryStates[Unit]):
    def __init__(self) -> None:
        super().__init__(Unit)

    async def join(self, unit_id: str, nip: str) -> None:
        await self.update(unit_id, lambda unit: roster.joined(unit, nip))

    async def with_roster(self) -> list[str]:
        return sorted(unit_id for unit_id, unit in self.states.items() if unit.roster)


class InMemoryRecords(InMemoryStates[Record]):
    def __init__(self) -> None:
        super().__init__(Record)

    async def of_person(self, nip: str) -> list[Record]:
        return [r for r in self.states.values() if r.nip == nip]

    async def of_people(self, nips: Iterable[str]) -> dict[str, list[Record]]:
        wanted, found = set(nips), {}
        for record in self.states.values():
            if record.nip in wanted:
                found.setdefault(record.nip, []).append(record)
        return found


class InMemoryMonths(InMemoryStates[Month]):
    def __init__(self) -> None:
        super().__init__(Month)

    async def counts(self, keys: Iterable[str]) -> dict[str, int]:
        return {k: self.states[k].count for k in set(keys) if k in self.states}


class InMemoryGroups(InMemoryStates[Group]):
    def __init__(self) -> None:
        super().__init__(Group)

    async def get(self, group_id: str) -> Group | None:
        found = self.states.get(group_id)
        return None if found is None else found.model_copy(update={"group_id": group_id})


def in_memory_training() -> Repositories:
    """Training's ports, all in memory; each fake records what its decisions published."""
    return Repositories(
        programmes=InMemoryProgrammes(),
        people=InMemoryTrainees(),
        units=InMemoryUnits(),
        records=InMemoryRecords(),
        months=InMemoryMonths(),
        groups=InMemoryGroups(),
    )


# --- survey -------------------------------------------------------------------------------------


class InMemoryResponses(InMemoryStates[Response]):
    def __init__(self) -> None:
        super().__init__(Response)


class InMemoryTickets(InMemoryStates[Ticket]):
    def __init__(self) -> None:
        super().__init__(Ticket)


class InMemoryEventClaims(InMemoryStates[EventClaim]):
    def __init__(self) -> None:
        super().__init__(EventClaim)


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
