"""Survey use cases as async verbs: record responses and feedback, run forums, summarise both."""

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from services.survey import decisions, views
from services.survey.model import (
    Forum,
    ForumItem,
    KioskResponse,
    NoSuchForumError,
    Offered,
    ResponseConflictError,
    UnlistedChoiceError,
)
from services.survey.repository import FeedbackLog, FeedbackTallies, Forums, Responses, ResponseTallies
from shared.contract import envelope, events
from shared.contract.identifiers import derived_id

logger = logging.getLogger(__name__)

# Records one response with its comment: record_response with its adapters bound (see routes).
Record = Callable[[envelope.CloudEvent[events.SurveySubmitted], str | None], Awaitable[bool]]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def record_response(
    submitted: envelope.CloudEvent[events.SurveySubmitted],
    comment: str | None = None,
    *,
    offered: Offered,
    responses: Responses,
    tallies: ResponseTallies,
) -> bool:
    """Keep one response per response_id, publish it once, count it once; False if this event id was seen.

    The same response again (any event id) is a duplicate; a different one under a response_id
    already used raises ResponseConflictError, and nothing is stored, published or counted. A
    service or occupation outside the configured lists raises UnlistedChoiceError first.
    """
    response = submitted.data
    refused = decisions.choice_problems(response, offered(response.unit_id))
    if refused:
        raise UnlistedChoiceError(refused)
    fresh = await responses.update(
        response.response_id,
        lambda kept: decisions.response_recorded(kept, submitted, comment),
        event_id=submitted.id,
    )
    stored = await responses.get(response.response_id)
    if not fresh and stored is not None and not stored.holds(response):
        raise ResponseConflictError  # the same event id again, with other content
    if stored is not None and stored.event_id == submitted.id:  # count the first-recorded copy only
        await tallies.update(
            response.unit_id,
            response.period,
            response.response_id,
            lambda tally: decisions.response_counted(tally, response),
            event_id=derived_id("survey-summary", response.response_id),
        )
    return fresh


async def submit_response(submission: KioskResponse, *, record: Record) -> str:
    """Record one kiosk or form response (its event id derives from response_id: a resubmit is a no-op)."""
    submitted = decisions.kiosk_submitted(submission, _now())
    await record(submitted, submission.comment)
    return submitted.data.response_id


async def record_feedback(
    received: envelope.CloudEvent[events.FeedbackReceived], *, feedback: FeedbackLog, totals: FeedbackTallies
) -> bool:
    """Keep and publish an integrator's feedback once per feedback_id, and count it in its unit."""
    fresh = await feedback.update(
        received.data.feedback_id,
        lambda kept: decisions.feedback_recorded(kept, received),
        event_id=received.id,
    )
    await count_feedback(received.data, totals=totals)
    return fresh


async def count_feedback(item: events.FeedbackReceived, *, totals: FeedbackTallies) -> None:
    """Add an item to its unit's feedback, once (the inbox id derives from the feedback id).

    Items from forums and FeedbackReceived posted by integrators to `/events` both count.
    """
    await totals.update(
        item.unit_id,
        lambda tally: decisions.feedback_counted(tally, item),
        event_id=derived_id("count", item.feedback_id),
    )


async def open_forum(
    forum_id: str | None, date: dt.date, unit_id: str, topic: str, attendees: int, *, forums: Forums
) -> str:
    """Open a forum once (its id derives from unit, date and topic unless given); the forum's id."""
    forum_id = forum_id or decisions.forum_id_of(unit_id, date, topic)
    opening = Forum(
        forum_id=forum_id, date=date.isoformat(), unit_id=unit_id, topic=topic, attendees=attendees
    )
    await forums.update(
        forum_id,
        lambda forum: decisions.forum_opened(forum, opening),
        event_id=derived_id("forum-created", forum_id),
    )
    return forum_id


async def add_item(
    forum_id: str,
    item_id: str | None,
    category: events.Category,
    topic: str,
    text: str,
    *,
    forums: Forums,
    totals: FeedbackTallies,
) -> str:
    """Keep an item on its forum and publish it as FeedbackReceived (without its text), once; its id."""
    forum = await forums.get(forum_id)
    if forum is None or forum.unit_id is None:
        raise NoSuchForumError
    feedback_id = item_id or derived_id("forum-item", forum_id, category, topic, text)
    item = ForumItem(item_id=item_id, category=category, topic=topic, text=text, feedback_id=feedback_id)
    received = decisions.item_received(forum_id, forum.unit_id, item, _now())
    if await forums.update(
        forum_id, lambda current: decisions.item_added(current, item, received), event_id=received.id
    ):
        logger.info("forum item %s published as %s", feedback_id, received.id)
    await count_feedback(received.data, totals=totals)
    return feedback_id


async def summarise_responses(
    unit_id: str, period: str, population: int | None, *, tallies: ResponseTallies
) -> views.ResponsesSummary:
    return views.responses_summary(unit_id, period, await tallies.shards(unit_id, period), population)


async def unit_feedback(unit_id: str, *, totals: FeedbackTallies) -> views.UnitFeedback:
    return views.unit_feedback(unit_id, await totals.get(unit_id))


async def list_forums(unit_id: str | None, *, forums: Forums) -> list[views.ListedForum]:
    return [views.listed_forum(forum) for forum in await forums.listed(unit_id)]
