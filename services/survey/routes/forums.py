"""Forum routes: forums (published as ForumHeld), their items (as FeedbackReceived), unit feedback."""

from typing import Annotated, Self

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.survey import handlers, views
from services.survey.repository import FeedbackTallies, Forums
from shared import errors, web
from shared.contract import events
from shared.contract.calendar import Calendar
from shared.contract.fields import Code, Count, Identifier, LongText, Nip, Text, UnitId
from shared.contract.topics import Topics
from shared.contract.units import Units


class Forum(BaseModel):
    """A forum as posted, with the NIPs of the civil servants who attended (`attended_by`).

    `attendees` (everyone, citizens included) defaults to their number and may not be fewer.
    """

    model_config = ConfigDict(extra="forbid")

    forum_id: Identifier | None = None
    date: events.ForumDate
    unit_id: UnitId
    topic: Text
    topic_code: Code | None = None
    attendees: Annotated[Count, Field(ge=0, le=100_000)] | None = None
    attended_by: list[Nip] = Field(default_factory=list, max_length=events.MAX_ATTENDED_BY)

    @model_validator(mode="after")
    def _attendance(self) -> Self:
        if len(set(self.attended_by)) != len(self.attended_by):
            msg = "attended_by names someone twice"
            raise ValueError(msg)
        if self.attendees is not None and self.attendees < len(self.attended_by):
            msg = "attendees must count at least the civil servants in attended_by"
            raise ValueError(msg)
        return self


class Item(BaseModel):
    """An item raised at a forum, filed under a configured topic (`topic_code`, see TOPICS_FILE).

    `topic` is its short summary (default: the topic's name); `text` stays in survey.
    """

    model_config = ConfigDict(extra="forbid")

    item_id: Identifier | None = None
    category: events.Category
    topic_code: Code
    topic: Text | None = None
    text: LongText


def build(
    auth: web.Auth,
    *,
    units: Units,
    topics: Topics,
    calendar: Calendar,
    forums: Forums,
    totals: FeedbackTallies,
) -> APIRouter:
    router = APIRouter()
    # Forum items publish FeedbackReceived: a key needs that scope, as on POST /events.
    writer = [Depends(auth.require("integrator", events.FeedbackReceived.__name__))]
    reader = [Depends(auth.require("reader"))]

    @router.post("/forums", status_code=202, dependencies=writer)
    async def post_forum(forum: Forum) -> web.Accepted:
        units.require(forum.unit_id)
        topics.require(forum.topic_code)
        forum_id = await handlers.open_forum(
            forum.forum_id,
            forum.date,
            forum.unit_id,
            forum.topic,
            len(forum.attended_by) if forum.attendees is None else forum.attendees,
            forums=forums,
            topic_code=forum.topic_code,
            attended_by=tuple(forum.attended_by),
            calendar=calendar,
        )
        return web.Accepted(id=forum_id)

    @router.post("/forums/{forum_id}/items", status_code=202, dependencies=writer)
    async def post_item(forum_id: Identifier, item: Item) -> web.Accepted:
        topics.require(item.topic_code)
        topic = topics.get(item.topic_code)
        item_id = await handlers.add_item(
            forum_id,
            item.item_id,
            item.category,
            item.topic or (topic.name if topic else item.topic_code),
            item.text,
            forums=forums,
            totals=totals,
            topic_code=item.topic_code,
            calendar=calendar,
        )
        return web.Accepted(id=item_id)

    @router.get("/forums", dependencies=reader)
    async def list_forums(unit_id: UnitId | None = None) -> list[views.ListedForum]:
        if unit_id is not None:
            units.require(unit_id, ("query", "unit_id"))
        return await handlers.list_forums(unit_id, forums=forums)

    @router.get("/units/{unit_id}/feedback", dependencies=reader)
    async def unit_feedback(unit_id: UnitId) -> views.UnitFeedback:
        if unit_id not in units:
            raise errors.NotFoundError("unknown unit: see GET /units")
        return await handlers.unit_feedback(unit_id, totals=totals)

    return router
