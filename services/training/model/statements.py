"""xAPI statements with other verbs, kept per person and month (bounded), once per statement id."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from services.training.model.xapi import Statement
from shared import errors
from shared.contract.identifiers import field_key
from shared.persistence.state_store import Outcome, State

MAX_KEPT = 2000  # statements kept per person and month (other verbs); each is under 1.2 kB


class KeptFullError(errors.ConflictError):
    """A person-month holds MAX_KEPT statements already."""

    def __init__(self) -> None:
        super().__init__(f"a person keeps at most {MAX_KEPT} statements a month")


class Kept(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    verb: str
    object: str
    at: dt.datetime


class Month(State):
    """One person's kept statements in one month, by hashed statement id, and how many."""

    count: int = 0
    statements: dict[str, Kept] = Field(default_factory=dict)


def month_key(statement: Statement, now: dt.datetime) -> str:
    return f"{statement.nip}:{statement.timestamp or now:%Y-%m}"


def room_for(counts: dict[str, int], wanted: dict[str, int]) -> None:
    """Refuse (before any write) a batch that would take a person-month past MAX_KEPT."""
    if any(counts.get(key, 0) + more > MAX_KEPT for key, more in wanted.items()):
        raise KeptFullError


def kept(month: Month, statement: Statement, now: dt.datetime) -> Outcome[Month]:
    if month.count >= MAX_KEPT:
        raise KeptFullError
    at = statement.timestamp or now
    entry = Kept(id=statement.id, verb=statement.verb, object=statement.object_id, at=at)
    kept_now = month.statements | {field_key(statement.id): entry}
    return Outcome(month.model_copy(update={"count": month.count + 1, "statements": kept_now}))
