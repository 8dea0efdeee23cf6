"""Dialogue forums and their items; each item publishes FeedbackReceived without its free text."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from shared import envelope, events, web
from shared.aggregates import Aggregates, Change
from shared.fields import Count, Identifier, LongText, Text, UnitId
from shared.identifiers import derived_id, field_key
from shared.storage import Document

MAX_ITEMS = 500


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


async def count(item: events.FeedbackReceived, *, totals: Aggregates) -> None:
    """Add an item to its unit's feedback summary, once (the inbox id derives from the feedback id).

    Items from forums and FeedbackReceived posted by integrators to `/events` both count.
    """
    topic = field_key(item.topic)
    inc = {f"categories.{item.category}": 1, f"topics.{topic}.{item.category}": 1, "n": 1}
    change = Change(set={f"topics.{topic}.topic": item.topic, "unit_id": item.unit_id}, inc=inc)
    await totals.apply(f"feedback:{item.unit_id}", derived_id("count", item.feedback_id), lambda _: change)


def build(auth: web.Auth, *, forums: Aggregates, totals: Aggregates) -> APIRouter:
    router = APIRouter()
    # Forum items publish FeedbackReceived: a key needs that scope, as on POST /events.
    writer = [Depends(auth.require("integrator", events.FeedbackReceived.__name__))]
    reader = [Depends(auth.require("reader"))]

    @router.post("/forums", status_code=202, dependencies=writer)
    async def post_forum(forum: Forum) -> dict[str, str]:
        forum_id = forum.forum_id or derived_id("forum", forum.unit_id, str(forum.date), forum.topic)
        fields = forum.model_dump(mode="json") | {"forum_id": forum_id, "items_count": 0}
        await forums.apply(
            forum_id, derived_id("forum-created", forum_id), lambda d: None if d else Change(set=fields)
        )
        return {"id": forum_id}

    @router.post("/forums/{forum_id}/items", status_code=202, dependencies=writer)
    async def post_item(forum_id: Identifier, item: Item) -> dict[str, str]:
        found = await forums.get(forum_id)
        if found is None:
            raise HTTPException(404, "no such forum")
        item_id = item.item_id or derived_id("forum-item", forum_id, item.category, item.topic, item.text)
        received = events.FeedbackReceived(
            feedback_id=item_id, forum_id=forum_id, unit_id=found["unit_id"], category=item.category,
            topic=item.topic, received_at=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        event = envelope.wrap(received, source="/survey/forums", event_id=derived_id("feedback", item_id))

        def decide(doc: Document) -> Change | None:
            if doc.get("items_count", 0) >= MAX_ITEMS:
                raise HTTPException(409, "this forum has too many items")
            kept = item.model_dump(mode="json") | {"feedback_id": item_id}
            return Change(set={f"items.{field_key(item_id)}": kept}, inc={"items_count": 1}, publish=[event])

        await forums.apply(forum_id, event.id, decide)
        await count(received, totals=totals)
        return {"id": item_id}

    @router.get("/forums", dependencies=reader)
    async def list_forums(unit_id: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"unit_id": unit_id} if unit_id else {}
        docs = await forums.collection.find(query, {"inbox": 0, "outbox": 0, "items": 0}).to_list(200)
        return [{k: v for k, v in d.items() if k not in {"_id", "version"}} for d in docs]

    @router.get("/units/{unit_id}/feedback", dependencies=reader)
    async def unit_feedback(unit_id: str) -> dict[str, Any]:
        doc = await totals.get(f"feedback:{unit_id}") or {}
        topics = sorted(doc.get("topics", {}).values(), key=lambda t: t.get("topic", ""))
        return {
            "unit_id": unit_id,
            "items": doc.get("n", 0),
            "by_category": doc.get("categories", {}),
            "by_topic": topics,
        }

    return router
