"""The roster as kept: a person's entry (training owns people) and a unit's member indexes."""

import datetime as dt
from collections.abc import Mapping
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from shared.contract import envelope, events
from shared.contract.fields import Text, UnitId
from shared.contract.identifiers import field_key
from shared.persistence.state_store import Outcome, State


class RosterEntry(BaseModel):
    """`PUT /asn/{nip}`: the person's place on the roster (training owns people)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unit_id: UnitId
    employee_type: events.EmployeeType
    name: Text | None = None
    active: StrictBool  # a JSON boolean: "yes", 1 or "0" are refused


class Rostered(RosterEntry):
    """The roster entry as kept: since when, and how many changes (each RosterChanged has its own id)."""

    at: dt.datetime
    changes: int = 1


class Unit(State):
    """A unit's people by hashed NIP: those seen in enrolments and completions, and its roster.

    Both are indexes for the fan-out; whether someone is a member now is their record's answer
    (`Person.member_of`), so an index entry left by a crash or a move does no harm.
    """

    sealed_maps: ClassVar[Mapping[str, int]] = {"members": 64}  # people seen: an index that grows

    members: dict[str, str] = Field(default_factory=dict)
    roster: dict[str, str] = Field(default_factory=dict)
    # The unit's recommendations evaluation has not resolved, by hashed id: the RetrainingRecommended
    # as received (JSON), so someone who joins the roster later gets them too.
    open_recommendations: dict[str, str] = Field(default_factory=dict)

    def pending(self) -> list[envelope.CloudEvent[events.RetrainingRecommended]]:
        return [
            envelope.CloudEvent[events.RetrainingRecommended].model_validate_json(kept)
            for kept in self.open_recommendations.values()
        ]

    def candidates(self) -> list[str]:
        return sorted(set(self.members.values()) | set(self.roster.values()))


def joined(unit: Unit, nip: str) -> Outcome[Unit] | None:
    if field_key(nip) in unit.members:
        return None
    return Outcome(unit.model_copy(update={"members": unit.members | {field_key(nip): nip}}))


def recommended(unit: Unit, event: envelope.CloudEvent[events.RetrainingRecommended]) -> Outcome[Unit] | None:
    """Keep a unit recommendation until evaluation resolves it."""
    key = field_key(event.data.recommendation_id)
    if key in unit.open_recommendations:
        return None
    kept = unit.open_recommendations | {key: envelope.to_json(event).decode()}
    return Outcome(unit.model_copy(update={"open_recommendations": kept}))


def resolved(unit: Unit, recommendation_id: str) -> Outcome[Unit] | None:
    key = field_key(recommendation_id)
    if key not in unit.open_recommendations:
        return None
    kept = {k: v for k, v in unit.open_recommendations.items() if k != key}
    return Outcome(unit.model_copy(update={"open_recommendations": kept}))


def on_roster(unit: Unit, nip: str, *, member: bool) -> Outcome[Unit] | None:
    """Add (member) or remove the person from the unit's roster index."""
    key = field_key(nip)
    if (key in unit.roster) == member:
        return None
    roster = unit.roster | {key: nip} if member else {k: v for k, v in unit.roster.items() if k != key}
    return Outcome(unit.model_copy(update={"roster": roster}))
