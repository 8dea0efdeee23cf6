"""Training's ports, one Protocol per aggregate, and the bundle the use cases take (adapters: mongo.py)."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from services.training.model.groups import Group
from services.training.model.people import Person
from services.training.model.planning import Demand
from services.training.model.programmes import Programme
from services.training.model.records import Record
from services.training.model.roster import Unit
from services.training.model.statements import Month
from shared.persistence.state_store import Outcome, State

type Decision[S: State] = Callable[[S], Outcome[S] | None]


class Programmes(Protocol):
    """The catalogue. Reads leave the seat map out; seats are taken and given back atomically."""

    async def get(self, program_id: str) -> Programme | None: ...
    async def update(self, program_id: str, decide: Decision[Programme]) -> bool: ...
    async def by_ids(self, program_ids: Iterable[str]) -> dict[str, Programme]: ...
    async def listing(
        self, *, competency: str | None, method: str | None, starts_after: dt.datetime | None
    ) -> list[Programme]: ...
    async def upcoming_with_room(self, competency: str, now: dt.datetime, nip: str) -> list[Programme]: ...
    async def take_seat(self, program_id: str, nip: str) -> tuple[Programme, bool]: ...
    async def release_seat(self, program_id: str, nip: str) -> bool: ...
    async def seat_holders(self, program_id: str) -> list[str] | None: ...


class People(Protocol):
    async def get(self, nip: str) -> Person | None: ...
    async def update(self, nip: str, decide: Decision[Person]) -> bool: ...
    async def units_of(self, nips: Iterable[str]) -> dict[str, str | None]: ...
    async def many(self, nips: Iterable[str]) -> dict[str, Person]:
        """The records of these NIPs that exist, in one read (a unit's members, not one call each)."""
        ...

    async def waiting(self, competency: str) -> list[str]:
        """NIPs with an open recommendation in the competency (oldest record first, at most 500)."""
        ...

    async def holding(self, recommendation_id: str) -> list[str]:
        """NIPs whose record has the recommendation."""
        ...

    async def demand(self) -> list[Demand]:
        """Per competency, the people with an open recommendation and the units of open unit ones.

        Counted by the store: no person's document is read whole.
        """
        ...


class Units(Protocol):
    async def get(self, unit_id: str) -> Unit | None: ...
    async def update(self, unit_id: str, decide: Decision[Unit]) -> bool: ...
    async def join(self, unit_id: str, nip: str) -> None:
        """Note `nip` among the unit's members (roster.joined): every completion and enrolment does."""
        ...

    async def with_roster(self) -> list[str]:
        """Ids of the units that have anyone on their roster, sorted."""
        ...


class Records(Protocol):
    async def get(self, key: str) -> Record | None: ...
    async def update(self, key: str, decide: Decision[Record], *, event_id: str) -> bool: ...
    async def of_person(self, nip: str) -> list[Record]: ...
    async def of_people(self, nips: Iterable[str]) -> dict[str, list[Record]]:
        """Each NIP's records (every year), in one read; a NIP without any is left out."""
        ...


class Months(Protocol):
    async def counts(self, keys: Iterable[str]) -> dict[str, int]: ...
    async def update(self, key: str, decide: Decision[Month], *, event_id: str) -> bool: ...


class Groups(Protocol):
    async def get(self, group_id: str) -> Group | None: ...
    async def update(self, group_id: str, decide: Decision[Group]) -> bool: ...


@dataclass(frozen=True)
class Repositories:
    """Every port of the service, as the use cases take them."""

    programmes: Programmes
    people: People
    units: Units
    records: Records
    months: Months
    groups: Groups
