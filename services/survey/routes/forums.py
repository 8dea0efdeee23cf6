"""Forum routes: dialogue forums and their items (each published as FeedbackReceived), unit feedback."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from services.survey import handlers, views
from services.survey.repository import FeedbackTallies, Forums
from shared import web
from shared.contract import events
from shared.contract.fields import Count, Identifier, LongText, Text, UnitId
from shared.contract.units import Units


class Forum(BaseModel):
    model_config = ConfigDict(extra="forbid")

    forum_id: Identifier | None = None
    date: Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2099, 12, 31))]
    unit_id: UnitId
    topic: Text
    attendees: Annotated[Count, Field(ge=0, le=100_000)]


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: Identifier | None = None
    category: events.Category
    topic: Text
    text: LongText


def build(auth: web.Auth, *, units: Units, forums: Forums, totals: FeedbackTallies) -> APIRouter:
    router = APIRouter()
    # Forum items publish FeedbackReceived: a key needs that scope, as on POST /events.
    writer = [Depends(auth.require("integrator", events.FeedbackReceived.__name__))]
    reader = [Depends(auth.require("reader"))]

    @router.post("/forums", status_code=202, dependencies=writer)
    async def post_forum(forum: Forum) -> web.Accepted:
        units.require(forum.unit_id)
        forum_id = await handlers.open_forum(
            forum.forum_id, forum.date, forum.unit_id, forum.topic, forum.attendees, forums=forums
        )
        return web.Accepted(id=forum_id)

    @router.post("/forums/{forum_id}/items", status_code=202, dependencies=writer)
    async def post_item(forum_id: Identifier, item: Item) -> web.Accepted:
        item_id = await handlers.add_item(
            forum_id, item.item_id, item.category, item.topic, item.text, forums=forums, totals=totals
        )
        return web.Accepted(id=item_id)

    @router.get("/forums", dependencies=reader)
    async def list_forums(unit_id: str | None = None) -> list[views.ListedForum]:
        return await handlers.list_forums(unit_id, forums=forums)

    @router.get("/units/{unit_id}/feedback", dependencies=reader)
    async def unit_feedback(unit_id: str) -> views.UnitFeedback:
        return await handlers.unit_feedback(unit_id, totals=totals)

    return router
