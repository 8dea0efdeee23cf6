"""Forum signals (pure): a unit's complaints per topic in a quarter, the forum rule, its outcomes.

A topic (TOPICS_FILE) with at least FORUM_COMPLAINTS_MIN complaints for a unit in a closed quarter
recommends retraining the unit in the topic's competency, once per (unit, quarter, topic), citing
the feedback ids. Complaints without a topic code (events from before topics) are counted under no
topic and never fire. The recommendation is done when a later closed quarter in which the unit
received feedback has fewer complaints on the topic than the minimum, and expires when
RECOMMENDATION_EXPIRY_QUARTERS such later quarters did not; a quarter without any feedback for
the unit is no evidence either way (as a quarter with too few answers is for the unit rule).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from services.evaluation.firings import Firings, open_count
from services.evaluation.model import (
    ACTIVE,
    Attended,
    Feedback,
    ForumQuarter,
    Person,
    Recommendation,
    UnitQuarter,
)
from shared.contract import envelope, events
from shared.contract.identifiers import derived_id, field_key
from shared.contract.topics import Topics
from shared.persistence.state_store import Outcome

RULE_ID = "forum_complaints"
NO_TOPIC = ""  # the key complaints without a topic code are counted under
CITED = 40  # feedback ids cited in a recommendation's evidence (its count says how many there were)
FORUMS_PER_YEAR = 100  # forums listed on a person's record per year (more are not kept)


def item_key(feedback_id: str) -> str:
    """The event id a feedback item is applied under: its natural key is the feedback id."""
    return derived_id("forum-signal", feedback_id)


def counted(
    quarter: ForumQuarter, received: events.FeedbackReceived, event_id: str, period: str
) -> Outcome[ForumQuarter] | None:
    """One feedback item added to its unit's quarter, once per feedback id."""
    key = field_key(item_key(received.feedback_id))
    if key in quarter.items:
        return None
    item = Feedback(
        feedback_id=received.feedback_id,
        event_id=event_id,
        category=received.category,
        topic_code=received.topic_code,
    )
    changes = {"unit_id": received.unit_id, "period": period, "items": {**quarter.items, key: item}}
    return Outcome(quarter.model_copy(update=changes))


def complaints_by_topic(quarter: ForumQuarter | None) -> dict[str, list[Feedback]]:
    """The quarter's complaints per topic code (NO_TOPIC for those without), in feedback-id order."""
    found: dict[str, list[Feedback]] = {}
    for item in quarter.items.values() if quarter else ():
        if item.category == "complaint":
            found.setdefault(item.topic_code or NO_TOPIC, []).append(item)
    return {code: sorted(items, key=lambda i: i.feedback_id) for code, items in sorted(found.items())}


def judge_forum(
    unit_id: str,
    period: str,
    quarter: ForumQuarter | None,
    *,
    topics: Topics,
    minimum: int,
    opened_at: str | None = None,
) -> list[Recommendation]:
    """A configured topic with at least `minimum` complaints in the quarter: retrain the unit.

    In the topic's competency; keyed (unit, quarter, topic), so each topic of a quarter recommends once.
    """
    found = []
    for code, complaints in complaints_by_topic(quarter).items():
        topic = topics.get(code or None)
        if topic is None or len(complaints) < minimum:
            continue
        cited = complaints[:CITED]
        evidence: dict[str, Any] = {
            "topic_code": code,
            "topic": topic.name,
            "period": period,
            "complaints": len(complaints),
            "minimum": minimum,
            "feedback_ids": [c.feedback_id for c in cited],
        }
        found.append(
            Recommendation(
                RULE_ID,
                topic.competency,
                f"{len(complaints)} complaints on {topic.name} in {period} (at least {minimum})",
                (unit_id, period, "topic", code),
                evidence,
                tuple(c.event_id for c in cited),
                opened_at,
            )
        )
    return found


def forum_fired(
    quarter: UnitQuarter, unit_id: str, period: str, decisions: list[Recommendation], now: dt.datetime
) -> Outcome[UnitQuarter] | None:
    """The forum rule's recommendations on the unit's quarter, each fired once (complaints only grow)."""
    firings = Firings(quarter.firings, nip=None, unit_id=unit_id, now=now)
    for decision in decisions:
        firings.fire(decision, decision.caused_by)
    return _saved(quarter, firings, unit_id, period)


def judge_forum_outcome(
    evidence: dict[str, Any], later: Sequence[tuple[str, ForumQuarter | None]], minimum: int, expiry: int
) -> tuple[events.Resolution, dict[str, Any]] | None:
    """`done` or `expired` with the evidence, from the later closed quarters (oldest first)."""
    code = str(evidence.get("topic_code", NO_TOPIC))
    seen: list[dict[str, Any]] = []
    for period, quarter in later:
        if quarter is None or not quarter.items:
            continue  # no feedback at all is no evidence
        complaints = len(complaints_by_topic(quarter).get(code, []))
        row: dict[str, Any] = {"period": period, "complaints": complaints, "items": len(quarter.items)}
        if complaints < minimum:
            return "done", {"topic_code": code, "recovered": row, "quarters": [*seen, row]}
        seen.append(row)
        if len(seen) >= expiry:
            return "expired", {"topic_code": code, "quarters": seen}
    return None


def forum_outcomes(
    quarter: UnitQuarter,
    later: Sequence[tuple[str, ForumQuarter | None]],
    minimum: int,
    expiry: int,
    now: dt.datetime,
) -> Outcome[UnitQuarter] | None:
    """The outcome of the quarter's open forum recommendations from the later closed quarters."""
    firings = Firings(quarter.firings, nip=None, unit_id=quarter.unit_id, now=now)
    for key, firing in quarter.firings.items():
        if firing.rule_id != RULE_ID or firing.status not in ACTIVE:
            continue
        judged = judge_forum_outcome(firing.evidence or {}, later, minimum, expiry)
        if judged is not None:
            firings.resolve(key, *judged)
    return _saved(quarter, firings, quarter.unit_id or "", quarter.period or "")


def _saved(quarter: UnitQuarter, firings: Firings, unit_id: str, period: str) -> Outcome[UnitQuarter] | None:
    if not firings.published:
        return None
    changes = {
        "unit_id": unit_id,
        "period": period,
        "firings": firings.all,
        "open_recs": open_count(firings.all),
    }
    return Outcome(quarter.model_copy(update=changes), firings.published)


def attended(person: Person, held: envelope.CloudEvent[events.ForumHeld]) -> Outcome[Person] | None:
    """A forum on the person's record (under the event's key), at most FORUMS_PER_YEAR a year."""
    key, year = field_key(held.id), str(held.data.date.year)
    if key in person.forums or sum(f.date[:4] == year for f in person.forums.values()) >= FORUMS_PER_YEAR:
        return None
    forum = held.data
    entry = Attended(
        forum_id=forum.forum_id,
        date=forum.date.isoformat(),
        unit_id=forum.unit_id,
        topic=forum.topic,
        topic_code=forum.topic_code,
    )
    return Outcome(person.model_copy(update={"forums": {**person.forums, key: entry}}))
