"""Completion records: one per (person, year), each completion kept as received, once per event id."""

from collections.abc import Mapping
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.contract import envelope, events
from shared.contract.calendar import Calendar
from shared.contract.identifiers import field_key
from shared.persistence.state_store import SEALED_PAGE, Outcome, State


class Completion(BaseModel):
    """A TrainingCompleted as stored (its JSON form, the time as sent) with its event id and source."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    source: str
    nip: str
    program_id: str
    competency: str
    method: str
    jp: int
    score: float
    passed: bool
    group_id: str | None = None
    unit_id: str
    completed_at: str

    @classmethod
    def of(cls, completed: envelope.CloudEvent[events.TrainingCompleted]) -> "Completion":
        fields = completed.data.model_dump(mode="json")
        return cls.model_validate(fields | {"event_id": completed.id, "source": completed.source})


class Record(State):
    """A person's completions in one programme year (the completion's date in the programme zone)."""

    sealed_maps: ClassVar[Mapping[str, int]] = {"completions": SEALED_PAGE}

    nip: str | None = None
    year: int | None = None
    completions: dict[str, Completion] = Field(default_factory=dict)


def record_key(nip: str, year: int) -> str:
    return f"{nip}:{year}"


PROGRAMME = Calendar()  # the default programme calendar (Asia/Jakarta); services pass settings.calendar


def year_of(done: events.TrainingCompleted, calendar: Calendar = PROGRAMME) -> int:
    """The programme year of the completion: its date in the programme zone, whatever offset was sent."""
    return calendar.year_of(done.completed_at)


def recorded(
    record: Record,
    completed: envelope.CloudEvent[events.TrainingCompleted],
    calendar: Calendar = PROGRAMME,
) -> Outcome[Record]:
    """The completion added to the record and published (the record's inbox makes it once)."""
    done = completed.data
    state = record.model_copy(
        update={
            "nip": done.nip,
            "year": year_of(done, calendar),
            "completions": record.completions | {field_key(completed.id): Completion.of(completed)},
        }
    )
    return Outcome(state, publish=[completed])
