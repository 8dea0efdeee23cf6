"""Behaviour every adapter of survey's ports has; subclasses say how to build one (fake or Mongo)."""

import asyncio
import datetime as dt

import pytest

from services.survey import decisions
from services.survey.model import Forum, ForumItem, Response, Ticket, TicketUsedError
from services.survey.repository import (
    FeedbackLog,
    FeedbackTallies,
    Forums,
    Responses,
    ResponseTallies,
    Tickets,
)
from shared.contract.identifiers import derived_id
from tests.builders import a_feedback_received, a_survey_submitted, random_id, wrapped

NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)


class ResponsesContract:
    """`responses` fixture: an empty Responses adapter."""

    async def test_an_unknown_response_id_holds_nothing(self, responses: Responses) -> None:
        assert await responses.get(random_id("resp")) is None

    async def test_a_recorded_response_is_read_back_whole_with_its_comment(
        self, responses: Responses
    ) -> None:
        submitted = wrapped(a_survey_submitted(respondent={"age_band": "25-34", "occupation": "pns"}))
        rid = submitted.data.response_id
        await responses.update(
            rid, lambda r: decisions.response_recorded(r, submitted, "antri lama"), event_id=submitted.id
        )
        kept = await responses.get(rid)
        assert kept is not None
        assert kept.holds(submitted.data)
        assert (kept.event_id, kept.comment) == (submitted.id, "antri lama")
        assert kept.respondent is not None
        assert kept.respondent.occupation == "pns"

    async def test_an_event_id_applies_once(self, responses: Responses) -> None:
        submitted = wrapped(a_survey_submitted())
        rid = submitted.data.response_id
        outcomes = [
            await responses.update(
                rid, lambda r: decisions.response_recorded(r, submitted, None), event_id=submitted.id
            )
            for _ in range(2)
        ]
        assert outcomes == [True, False]

    async def test_a_decision_that_changes_nothing_writes_no_state(self, responses: Responses) -> None:
        rid = random_id("resp")
        await responses.update(rid, lambda _: None, event_id=random_id())
        found = await responses.get(rid)
        assert found is None or found == Response()


class FeedbackLogContract:
    """`feedback` fixture: an empty FeedbackLog adapter."""

    async def test_recorded_feedback_is_read_back(self, feedback: FeedbackLog) -> None:
        received = wrapped(a_feedback_received(topic="antrian"))
        fid = received.data.feedback_id
        assert await feedback.get(fid) is None
        first = await feedback.update(
            fid, lambda f: decisions.feedback_recorded(f, received), event_id=received.id
        )
        again = await feedback.update(
            fid, lambda f: decisions.feedback_recorded(f, received), event_id=received.id
        )
        assert (first, again) == (True, False)
        kept = await feedback.get(fid)
        assert kept is not None
        assert (kept.feedback_id, kept.topic, kept.event_id) == (fid, "antrian", received.id)
        assert kept.forum_id is None


def a_forum(unit_id: str) -> Forum:
    forum_id = random_id("forum")
    return Forum(forum_id=forum_id, date="2026-05-04", unit_id=unit_id, topic="Antrian KTP", attendees=25)


class ForumsContract:
    """`forums` fixture: an empty Forums adapter."""

    async def open(self, forums: Forums, forum: Forum) -> str:
        assert forum.forum_id is not None
        await forums.update(
            forum.forum_id, lambda f: decisions.forum_opened(f, forum), event_id=random_id("created")
        )
        return forum.forum_id

    async def test_an_opened_forum_keeps_its_items(self, forums: Forums) -> None:
        forum_id = await self.open(forums, a_forum(random_id("kel")))
        opened = await forums.get(forum_id)
        assert opened is not None
        assert (opened.topic, opened.attendees, opened.items_count, opened.items) == (
            "Antrian KTP",
            25,
            0,
            {},
        )
        item = ForumItem(category="complaint", topic="antrian", text="tiga jam", feedback_id=random_id("fb"))
        received = decisions.item_received(forum_id, opened.unit_id or "", item, NOW)
        await forums.update(forum_id, lambda f: decisions.item_added(f, item, received), event_id=received.id)
        kept = await forums.get(forum_id)
        assert kept is not None
        assert kept.items_count == 1
        assert list(kept.items.values()) == [item]

    async def test_forums_are_listed_by_unit_without_their_items(self, forums: Forums) -> None:
        unit = random_id("kel")
        ids = {await self.open(forums, a_forum(unit)) for _ in range(2)}
        other = await self.open(forums, a_forum(random_id("kel")))
        listed = await forums.listed(unit)
        assert {f.forum_id for f in listed} == ids
        assert all(f.items == {} and f.unit_id == unit for f in listed)
        assert other in {f.forum_id for f in await forums.listed(None)}


class ResponseTalliesContract:
    """`tallies` fixture: an empty ResponseTallies adapter."""

    async def count(self, tallies: ResponseTallies, unit: str, period: str, channel: str = "online") -> str:
        response = a_survey_submitted(unit_id=unit, period=period, channel=channel)
        await tallies.update(
            unit,
            period,
            response.response_id,
            lambda tally: decisions.response_counted(tally, response),
            event_id=f"count-{response.response_id}",
        )
        return response.response_id

    async def test_the_shards_of_a_quarter_count_each_response_once(self, tallies: ResponseTallies) -> None:
        unit = random_id("kel")
        for i in range(12):
            await self.count(tallies, unit, "2026-Q2", "online" if i % 3 else "counter")
        await self.count(tallies, unit, "2026-Q3")
        await self.count(tallies, random_id("kel"), "2026-Q2")
        shards = await tallies.shards(unit, "2026-Q2")
        assert sum(s.n for s in shards) == 12
        assert sum(s.channel.get("counter", 0) for s in shards) == 4
        assert {(s.unit_id, s.period) for s in shards} == {(unit, "2026-Q2")}
        assert sum(s.answers["u1"]["3"] for s in shards) == 12

    async def test_the_same_event_id_counts_once(self, tallies: ResponseTallies) -> None:
        unit = random_id("kel")
        response = a_survey_submitted(unit_id=unit, period="2026-Q2")
        for _ in range(3):
            await tallies.update(
                unit,
                "2026-Q2",
                response.response_id,
                lambda tally: decisions.response_counted(tally, response),
                event_id="count-once",
            )
        assert sum(s.n for s in await tallies.shards(unit, "2026-Q2")) == 1

    async def test_an_unknown_quarter_has_no_shards(self, tallies: ResponseTallies) -> None:
        assert await tallies.shards(random_id("kel"), "2026-Q1") == []


class FeedbackTalliesContract:
    """`totals` fixture: an empty FeedbackTallies adapter."""

    async def test_items_count_once_per_event_id(self, totals: FeedbackTallies) -> None:
        unit = random_id("kel")
        assert await totals.get(unit) is None
        items = [
            a_feedback_received(unit_id=unit, topic="antrian", category="complaint"),
            a_feedback_received(unit_id=unit, topic="antrian", category="suggestion"),
            a_feedback_received(unit_id=unit, topic="petugas", category="appreciation"),
        ]
        for item in [*items, items[0]]:
            await totals.update(
                unit, lambda tally, i=item: decisions.feedback_counted(tally, i), event_id=item.feedback_id
            )
        tally = await totals.get(unit)
        assert tally is not None
        assert (tally.unit_id, tally.n) == (unit, 3)
        assert tally.categories == {"complaint": 1, "suggestion": 1, "appreciation": 1}
        assert sorted((t.topic, t.counts()) for t in tally.topics.values()) == [
            ("antrian", {"complaint": 1, "suggestion": 1}),
            ("petugas", {"appreciation": 1}),
        ]

    async def test_a_decision_that_changes_nothing_writes_no_tally(self, totals: FeedbackTallies) -> None:
        unit = random_id("kel")
        await totals.update(unit, lambda _: None, event_id=random_id())
        found = await totals.get(unit)
        assert found is None or found.n == 0


def a_ticket() -> Ticket:
    return Ticket(
        unit_id="kel-candi",
        served_by_nip="198507142010011003",
        service_type="KK",
        channel="counter",
        issued_at=NOW.isoformat(),
        expires_at=(NOW + dt.timedelta(days=14)).isoformat(),
    )


class TicketsContract:
    """`tickets` fixture: an empty Tickets adapter."""

    async def issue(self, tickets: Tickets) -> str:
        key = decisions.ticket_key(random_id("code"))
        await tickets.update(key, lambda t: decisions.ticket_issued(t, a_ticket()), event_id=random_id())
        return key

    async def use(self, tickets: Tickets, key: str, response_id: str) -> bool:
        return await tickets.update(
            key,
            lambda t: decisions.ticket_used(t, response_id, NOW),
            event_id=derived_id("ticket-used", key, response_id),
        )

    async def test_an_unknown_key_holds_no_ticket(self, tickets: Tickets) -> None:
        assert await tickets.get(decisions.ticket_key(random_id("code"))) is None

    async def test_an_issued_ticket_is_read_back_unused(self, tickets: Tickets) -> None:
        key = await self.issue(tickets)
        assert await tickets.get(key) == a_ticket()

    async def test_a_ticket_is_used_once_and_the_same_answer_again_changes_nothing(
        self, tickets: Tickets
    ) -> None:
        key = await self.issue(tickets)
        assert [await self.use(tickets, key, "r-1") for _ in range(2)] == [True, False]
        with pytest.raises(TicketUsedError):
            await self.use(tickets, key, "r-2")
        kept = await tickets.get(key)
        assert kept is not None
        assert (kept.used_by, kept.used_at) == ("r-1", NOW.isoformat())

    async def test_two_answers_racing_for_one_ticket_use_it_once(self, tickets: Tickets) -> None:
        key = await self.issue(tickets)
        outcomes = await asyncio.gather(
            *(self.use(tickets, key, f"r-{i}") for i in range(4)), return_exceptions=True
        )
        assert sum(outcome is True for outcome in outcomes) == 1
        assert sum(isinstance(outcome, TicketUsedError) for outcome in outcomes) == 3
        kept = await tickets.get(key)
        assert kept is not None
        assert kept.used_by == f"r-{outcomes.index(True)}"
