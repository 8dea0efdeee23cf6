"""Read models (pure): a unit's response summary with its sample size, its feedback, the forum list."""

from collections import Counter
from collections.abc import Iterable, Mapping

from pydantic import BaseModel

from services.survey import skm
from services.survey.model import FeedbackTally, Forum, ResponseTally


class Sample(BaseModel):
    """The Krejcie & Morgan minimum for the unit's population, and whether the quarter reached it."""

    population: int | None
    minimum: int | None
    reached: bool


class ResponsesSummary(BaseModel):
    unit_id: str
    period: str
    responses: int
    answers: dict[str, dict[str, int]]
    channels: dict[str, int]
    profile: dict[str, dict[str, int]]
    sample: Sample


class UnitFeedback(BaseModel):
    unit_id: str
    items: int
    by_category: dict[str, int]
    by_topic: list[dict[str, str | int]]


class ListedForum(BaseModel):
    forum_id: str | None
    date: str | None
    unit_id: str | None
    topic: str | None
    topic_code: str | None = None
    attendees: int | None
    attended_by: list[str] = []
    items_count: int


def _added(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for part in counts:
        total.update(part)
    return dict(total)


def _added_per_key(parts: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    names = dict.fromkeys(name for part in parts for name in part)
    return {name: _added(part.get(name, {}) for part in parts) for name in names}


def responses_summary(
    unit_id: str, period: str, shards: list[ResponseTally], population: int | None
) -> ResponsesSummary:
    """The shards of a unit's quarter added up, with the sample the population needs."""
    n = sum(shard.n for shard in shards)
    minimum = skm.krejcie_morgan(population) if population else None
    return ResponsesSummary(
        unit_id=unit_id,
        period=period,
        responses=n,
        answers=_added_per_key([shard.answers for shard in shards]),
        channels=_added(shard.channel for shard in shards),
        profile=_added_per_key([shard.profile for shard in shards]),
        sample=Sample(population=population, minimum=minimum, reached=minimum is not None and n >= minimum),
    )


def unit_feedback(unit_id: str, tally: FeedbackTally | None) -> UnitFeedback:
    """Items per category and per topic (topics in alphabetical order, categories with items only)."""
    tally = tally or FeedbackTally()
    topics = sorted(tally.topics.values(), key=lambda topic: topic.topic)
    return UnitFeedback(
        unit_id=unit_id,
        items=tally.n,
        by_category=tally.categories,
        by_topic=[{"topic": topic.topic, **topic.counts()} for topic in topics],
    )


def listed_forum(forum: Forum) -> ListedForum:
    return ListedForum.model_validate(forum.model_dump(exclude={"items"}))
