"""Survey use cases on in-memory adapters: state and published events, no broker or store."""

import datetime as dt
import functools

import pytest

from services.survey import handlers
from services.survey.model import (
    MAX_ITEMS,
    EventIdReusedError,
    FeedbackConflictError,
    Forum,
    ForumFullError,
    IssuedTicket,
    KioskResponse,
    NoSuchForumError,
    ResponseConflictError,
    TicketExpiredError,
    TicketRequest,
    TicketUnknownError,
    TicketUsedError,
    UnlistedChoiceError,
)
from shared import errors
from shared.contract import events, units
from shared.contract.calendar import Calendar
from tests.builders import a_feedback_received, a_survey_submitted, random_id, wrapped
from tests.fakes import (
    InMemoryEventClaims,
    InMemoryFeedbackLog,
    InMemoryFeedbackTallies,
    InMemoryForums,
    InMemoryResponses,
    InMemoryResponseTallies,
    InMemoryTickets,
)

SERVICES = ("KTP-el", "KK")
DATE = dt.date(2026, 5, 4)


def offered(_: str) -> tuple[str, ...]:
    return SERVICES


@pytest.fixture
def responses() -> InMemoryResponses:
    return InMemoryResponses()


@pytest.fixture
def tallies() -> InMemoryResponseTallies:
    return InMemoryResponseTallies()


@pytest.fixture
def forums() -> InMemoryForums:
    return InMemoryForums()


@pytest.fixture
def totals() -> InMemoryFeedbackTallies:
    return InMemoryFeedbackTallies()


@pytest.fixture
def claims() -> InMemoryEventClaims:
    return InMemoryEventClaims()


@pytest.fixture
def record(
    responses: InMemoryResponses, tallies: InMemoryResponseTallies, claims: InMemoryEventClaims
) -> handlers.Record:
    return functools.partial(
        handlers.record_response, offered=offered, responses=responses, tallies=tallies, claims=claims
    )


async def counted(tallies: InMemoryResponseTallies, response: events.SurveySubmitted) -> int:
    return sum(shard.n for shard in await tallies.shards(response.unit_id, response.period))


class TestRecordResponse:
    async def test_a_response_is_kept_published_and_counted_once_whatever_its_event_ids(
        self, record: handlers.Record, responses: InMemoryResponses, tallies: InMemoryResponseTallies
    ) -> None:
        response = a_survey_submitted()
        first, second = wrapped(response), wrapped(response)
        assert [await record(e, None) for e in (first, first, second)] == [True, False, True]
        assert [e.id for e in responses.published] == [first.id]
        kept = await responses.get(response.response_id)
        assert kept is not None
        assert (kept.event_id, kept.holds(response)) == (first.id, True)
        assert await counted(tallies, response) == 1

    async def test_the_comment_stays_in_the_store(
        self, record: handlers.Record, responses: InMemoryResponses
    ) -> None:
        submitted = wrapped(a_survey_submitted())
        await record(submitted, "SECRET antri lama")
        kept = await responses.get(submitted.data.response_id)
        assert kept is not None
        assert kept.comment == "SECRET antri lama"
        assert "SECRET" not in str([e.model_dump() for e in responses.published])

    async def test_another_response_under_a_used_response_id_is_a_conflict(
        self, record: handlers.Record, responses: InMemoryResponses, tallies: InMemoryResponseTallies
    ) -> None:
        response = a_survey_submitted()
        await record(wrapped(response), None)
        other = response.model_copy(update={"answers": events.Answers(**{f"u{i}": 1 for i in range(1, 10)})})
        with pytest.raises(ResponseConflictError):
            await record(wrapped(other), None)
        with pytest.raises(ResponseConflictError):  # even under the event id of the first
            await record(wrapped(other, event_id=responses.published[0].id), None)
        assert len(responses.published) == 1
        assert await counted(tallies, response) == 1

    async def test_a_service_the_unit_does_not_offer_is_refused_with_reasons(
        self, record: handlers.Record, responses: InMemoryResponses
    ) -> None:
        refused = a_survey_submitted(service_type="Paspor", respondent={"occupation": "guru"})
        with pytest.raises(UnlistedChoiceError) as raised:
            await record(wrapped(refused), None)
        assert [r["loc"] for r in raised.value.reasons] == [
            ["body", "service_type"],
            ["body", "respondent", "occupation"],
        ]
        assert (responses.states, responses.published) == ({}, [])


NIP = "198507142010011003"
NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)


class Clock:
    """A pinned clock the test moves."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class TestSubmitResponse:
    @pytest.fixture
    def clock(self) -> Clock:
        return Clock()

    @pytest.fixture
    def tickets(self) -> InMemoryTickets:
        return InMemoryTickets()

    @pytest.fixture
    def submit(
        self, record: handlers.Record, responses: InMemoryResponses, tickets: InMemoryTickets, clock: Clock
    ) -> handlers.Submit:
        return functools.partial(
            handlers.submit_response,
            record=record,
            responses=responses,
            tickets=tickets,
            units=units.load(),
            calendar=Calendar("Asia/Jakarta"),
            clock=clock,
        )

    def a_submission(self, **changes: object) -> KioskResponse:
        fields = {
            "response_id": random_id("kiosk"),
            "unit_id": "kel-candi",
            "service_type": "KK",
            "channel": "counter",
            "answers": {f"u{i}": 4 for i in range(1, 10)},
            "comment": "ramah",
        }
        return KioskResponse.model_validate({k: v for k, v in (fields | changes).items() if v is not None})

    async def issue(self, tickets: InMemoryTickets, clock: Clock, **changes: str) -> IssuedTicket:
        fields = {"unit_id": "kel-candi", "served_by_nip": NIP, "service_type": "KK", "channel": "counter"}
        return await handlers.issue_ticket(
            TicketRequest.model_validate(fields | changes),
            base_url="https://skm.example/",
            tickets=tickets,
            units=units.load(),
            offered=offered,
            ttl=dt.timedelta(days=14),
            clock=clock,
        )

    async def test_a_resubmit_is_one_response_in_the_current_quarter(
        self, submit: handlers.Submit, responses: InMemoryResponses
    ) -> None:
        submission = self.a_submission()
        ids = {await submit(submission) for _ in range(2)}
        assert ids == {submission.response_id}
        (event,) = responses.published
        assert event.data.period == "2026-Q2"
        assert event.source == "/survey/kiosk"
        kept = await responses.get(submission.response_id)
        assert kept is not None
        assert kept.comment == "ramah"

    async def test_the_default_period_is_the_quarter_in_the_programme_calendar(
        self, submit: handlers.Submit, responses: InMemoryResponses, clock: Clock
    ) -> None:
        clock.now = dt.datetime(2026, 3, 31, 20, tzinfo=dt.UTC)  # 03:00 WIB on 1 April
        await submit(self.a_submission())
        assert responses.published[0].data.period == "2026-Q2"

    async def test_a_given_period_is_kept(
        self, submit: handlers.Submit, responses: InMemoryResponses
    ) -> None:
        await submit(self.a_submission(period="2026-Q1"))
        assert responses.published[0].data.period == "2026-Q1"

    async def test_a_period_that_has_not_started_is_refused(
        self, submit: handlers.Submit, responses: InMemoryResponses, clock: Clock
    ) -> None:
        clock.now = dt.datetime(2026, 3, 31, 16, 59, tzinfo=dt.UTC)  # 23:59 WIB on 31 March
        with pytest.raises(errors.InvalidError) as refused:
            await submit(self.a_submission(period="2026-Q2"))
        assert refused.value.reasons[0]["type"] == "future_period"
        assert responses.published == []

    async def test_an_unknown_unit_is_refused(
        self, submit: handlers.Submit, responses: InMemoryResponses
    ) -> None:
        with pytest.raises(errors.InvalidError) as refused:
            await submit(self.a_submission(unit_id="kel-nowhere"))
        assert refused.value.reasons[0]["type"] == "unknown_unit"
        assert responses.published == []

    async def test_an_anonymous_answer_naming_an_officer_is_refused(
        self, submit: handlers.Submit, responses: InMemoryResponses
    ) -> None:
        with pytest.raises(errors.InvalidError) as refused:
            await submit(self.a_submission(served_by_nip=NIP))
        assert refused.value.reasons[0]["loc"] == ["body", "served_by_nip"]
        assert responses.published == []

    async def test_without_a_ticket_unit_service_and_channel_are_required(
        self, submit: handlers.Submit
    ) -> None:
        with pytest.raises(errors.InvalidError) as refused:
            await submit(self.a_submission(unit_id=None, channel=None))
        assert [r["loc"] for r in refused.value.reasons] == [["body", "unit_id"], ["body", "channel"]]

    async def test_a_ticket_is_issued_with_its_form_and_end_and_kept_as_a_hash(
        self, tickets: InMemoryTickets, clock: Clock
    ) -> None:
        issued = await self.issue(tickets, clock)
        assert len(issued.ticket) >= 22
        assert issued.url == f"https://skm.example/t/{issued.ticket}"
        assert issued.expires_at == NOW + dt.timedelta(days=14)
        assert issued.ticket not in tickets.states
        (kept,) = tickets.states.values()
        assert (kept.unit_id, kept.served_by_nip, kept.used_by) == ("kel-candi", NIP, None)
        assert issued.ticket != (await self.issue(tickets, clock)).ticket

    async def test_a_ticket_for_an_unknown_unit_or_service_is_refused(
        self, tickets: InMemoryTickets, clock: Clock
    ) -> None:
        with pytest.raises(errors.InvalidError):
            await self.issue(tickets, clock, unit_id="kel-nowhere")
        with pytest.raises(UnlistedChoiceError):
            await self.issue(tickets, clock, service_type="izin")
        assert tickets.states == {}

    async def test_an_answer_with_a_ticket_takes_unit_service_channel_and_officer_from_it(
        self, submit: handlers.Submit, responses: InMemoryResponses, tickets: InMemoryTickets, clock: Clock
    ) -> None:
        issued = await self.issue(tickets, clock)
        answer = self.a_submission(
            ticket=issued.ticket, unit_id="kel-jomblang", service_type="KTP-el", channel="online"
        )
        await submit(answer)
        (event,) = responses.published
        got = (event.data.unit_id, event.data.service_type, event.data.channel, event.data.served_by_nip)
        assert got == ("kel-candi", "KK", "counter", NIP)
        (kept,) = tickets.states.values()
        assert kept.used_by == answer.response_id

    async def test_a_ticket_is_used_once_a_second_answer_is_409_a_retry_is_the_same_answer(
        self, submit: handlers.Submit, responses: InMemoryResponses, tickets: InMemoryTickets, clock: Clock
    ) -> None:
        issued = await self.issue(tickets, clock)
        first = self.a_submission(ticket=issued.ticket, unit_id=None, service_type=None, channel=None)
        assert await submit(first) == await submit(first)
        with pytest.raises(TicketUsedError):
            await submit(self.a_submission(ticket=issued.ticket))
        assert len(responses.published) == 1

    async def test_an_answer_refused_for_its_response_id_leaves_the_ticket_unused(
        self, submit: handlers.Submit, responses: InMemoryResponses, tickets: InMemoryTickets, clock: Clock
    ) -> None:
        """A response_id holding another answer gave 409 but used the ticket up: the next try was 409 too."""
        taken = self.a_submission()
        await submit(taken)
        issued = await self.issue(tickets, clock)
        with pytest.raises(ResponseConflictError):
            await submit(self.a_submission(response_id=taken.response_id, ticket=issued.ticket))
        await submit(self.a_submission(ticket=issued.ticket))
        assert [e.data.served_by_nip for e in responses.published] == [None, NIP]

    async def test_an_expired_ticket_is_422(
        self, submit: handlers.Submit, responses: InMemoryResponses, tickets: InMemoryTickets, clock: Clock
    ) -> None:
        issued = await self.issue(tickets, clock)
        clock.now = NOW + dt.timedelta(days=14)
        with pytest.raises(TicketExpiredError) as refused:
            await submit(self.a_submission(ticket=issued.ticket))
        assert refused.value.status == 422
        assert refused.value.reasons[0]["type"] == "expired_ticket"
        clock.now = NOW + dt.timedelta(days=14) - dt.timedelta(seconds=1)
        await submit(self.a_submission(ticket=issued.ticket))  # valid to its last second
        assert len(responses.published) == 1

    async def test_an_unknown_ticket_is_422(
        self, submit: handlers.Submit, responses: InMemoryResponses
    ) -> None:
        with pytest.raises(TicketUnknownError) as refused:
            await submit(self.a_submission(ticket="A" * 32))
        assert refused.value.reasons[0]["type"] == "unknown_ticket"
        assert responses.published == []

    async def test_an_integrators_answer_may_name_the_officer_but_not_a_future_period(
        self, record: handlers.Record, responses: InMemoryResponses, clock: Clock
    ) -> None:
        calendar = Calendar("Asia/Jakarta")
        named = wrapped(a_survey_submitted(served_by_nip=NIP, period="2026-Q2"))
        assert await handlers.accept_submitted(named, record=record, calendar=calendar, clock=clock)
        future = wrapped(a_survey_submitted(period="2026-Q3"))
        with pytest.raises(errors.InvalidError):
            await handlers.accept_submitted(future, record=record, calendar=calendar, clock=clock)
        assert [e.data.served_by_nip for e in responses.published] == [NIP]


class TestEventIdReused:
    """An event id names one response or feedback item: evaluation dedupes on it (a probe found 15 against 14)."""

    async def test_another_response_under_a_used_event_id_is_refused(
        self, record: handlers.Record, responses: InMemoryResponses, tallies: InMemoryResponseTallies
    ) -> None:
        first, second = a_survey_submitted(period="2026-Q2"), a_survey_submitted(period="2026-Q2")
        assert await record(wrapped(first, event_id="same-1"), None)
        with pytest.raises(EventIdReusedError):
            await record(wrapped(second, event_id="same-1"), None)
        assert not await record(wrapped(first, event_id="same-1"), None)  # a plain resend stays a duplicate
        assert [e.data.response_id for e in responses.published] == [first.response_id]
        assert await counted(tallies, first) == 1

    async def test_a_response_id_and_a_feedback_id_cannot_share_an_event_id(
        self, record: handlers.Record, totals: InMemoryFeedbackTallies, claims: InMemoryEventClaims
    ) -> None:
        feedback = InMemoryFeedbackLog()
        assert await record(wrapped(a_survey_submitted(period="2026-Q2"), event_id="same-2"), None)
        for received in (a_feedback_received(), a_feedback_received()):
            with pytest.raises(EventIdReusedError):
                await handlers.record_feedback(
                    wrapped(received, event_id="same-2"), feedback=feedback, totals=totals, claims=claims
                )
        await handlers.record_feedback(
            wrapped(received, event_id="fb-9"), feedback=feedback, totals=totals, claims=claims
        )
        with pytest.raises(EventIdReusedError):
            await handlers.record_feedback(
                wrapped(a_feedback_received(), event_id="fb-9"),
                feedback=feedback,
                totals=totals,
                claims=claims,
            )
        assert [e.id for e in feedback.published] == ["fb-9"]


class TestRecordFeedback:
    async def test_feedback_is_kept_published_and_counted_once(
        self, totals: InMemoryFeedbackTallies, claims: InMemoryEventClaims
    ) -> None:
        feedback = InMemoryFeedbackLog()
        received = a_feedback_received(category="suggestion")
        for event in (wrapped(received, event_id="fb-1"), wrapped(received, event_id="fb-1")):
            await handlers.record_feedback(event, feedback=feedback, totals=totals, claims=claims)
        await handlers.record_feedback(
            wrapped(received, event_id="fb-2"), feedback=feedback, totals=totals, claims=claims
        )
        assert [e.id for e in feedback.published] == ["fb-1"]
        tally = await totals.get(received.unit_id)
        assert tally is not None
        assert (tally.n, tally.categories) == (1, {"suggestion": 1})

    async def test_another_item_under_a_used_feedback_id_is_a_conflict(
        self, totals: InMemoryFeedbackTallies, claims: InMemoryEventClaims
    ) -> None:
        feedback = InMemoryFeedbackLog()
        received = a_feedback_received(category="complaint")
        await handlers.record_feedback(wrapped(received), feedback=feedback, totals=totals, claims=claims)
        other = received.model_copy(update={"category": "appreciation"})
        with pytest.raises(FeedbackConflictError):
            await handlers.record_feedback(wrapped(other), feedback=feedback, totals=totals, claims=claims)
        with pytest.raises(FeedbackConflictError):  # even under the event id of the first
            await handlers.record_feedback(
                wrapped(other, event_id=feedback.published[0].id),
                feedback=feedback,
                totals=totals,
                claims=claims,
            )
        assert len(feedback.published) == 1
        tally = await totals.get(received.unit_id)
        assert tally is not None
        assert (tally.n, tally.categories) == (1, {"complaint": 1})


class TestForums:
    async def open(self, forums: InMemoryForums, unit_id: str = "kel-candi") -> str:
        return await handlers.open_forum(None, DATE, unit_id, "Antrian KTP", 25, forums=forums)

    async def test_a_forum_opens_once_under_an_id_from_unit_date_and_topic(
        self, forums: InMemoryForums
    ) -> None:
        assert await self.open(forums) == await self.open(forums)
        (forum,) = forums.states.values()
        assert (forum.date, forum.attendees, forum.items_count) == ("2026-05-04", 25, 0)

    async def test_an_item_publishes_its_topic_once_never_its_text(
        self, forums: InMemoryForums, totals: InMemoryFeedbackTallies
    ) -> None:
        forum_id = await self.open(forums)
        add = functools.partial(
            handlers.add_item,
            forum_id,
            None,
            "complaint",
            "antrian",
            "SECRET tiga jam",
            forums=forums,
            totals=totals,
        )
        assert await add() == await add()
        (event,) = [e for e in forums.published if e.type == "FeedbackReceived"]
        assert isinstance(event.data, events.FeedbackReceived)
        assert (event.data.forum_id, event.data.topic, event.source) == (
            forum_id,
            "antrian",
            "/survey/forums",
        )
        assert "SECRET" not in event.model_dump_json()
        forum = await forums.get(forum_id)
        assert forum is not None
        assert forum.items_count == 1
        assert [i.text for i in forum.items.values()] == ["SECRET tiga jam"]
        feedback = await handlers.unit_feedback("kel-candi", totals=totals)
        assert (feedback.items, feedback.by_topic) == (1, [{"topic": "antrian", "complaint": 1}])

    async def test_an_unknown_forum_is_not_found(
        self, forums: InMemoryForums, totals: InMemoryFeedbackTallies
    ) -> None:
        with pytest.raises(NoSuchForumError):
            await handlers.add_item("nope", None, "complaint", "t", "x", forums=forums, totals=totals)
        assert forums.published == []

    async def test_a_full_forum_refuses_more_items(
        self, forums: InMemoryForums, totals: InMemoryFeedbackTallies
    ) -> None:
        forum_id = await self.open(forums)
        full = forums.states[forum_id].model_copy(update={"items_count": MAX_ITEMS})
        forums.states[forum_id] = full
        with pytest.raises(ForumFullError):
            await handlers.add_item(
                forum_id, "one-more", "suggestion", "t", "x", forums=forums, totals=totals
            )
        assert [e.type for e in forums.published] == ["ForumHeld"]
        assert await totals.get("kel-candi") is None

    async def test_another_forum_under_the_same_id_is_a_conflict_not_dropped(
        self, forums: InMemoryForums
    ) -> None:
        """Same unit, date and topic with other attendance used to answer 202 and keep the first."""
        forum_id = await self.open(forums)
        with pytest.raises(errors.ConflictError):
            await handlers.open_forum(
                None, DATE, "kel-candi", "Antrian KTP", 25, forums=forums, attended_by=("198609262015051001",)
            )
        assert [e.type for e in forums.published] == ["ForumHeld"]
        assert forums.states[forum_id].attended_by == ()

    async def test_a_forum_dated_after_today_is_refused(self, forums: InMemoryForums) -> None:
        tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)
        with pytest.raises(errors.InvalidError) as refused:
            await handlers.open_forum(None, tomorrow, "kel-candi", "Antrian", 5, forums=forums)
        assert [r["type"] for r in refused.value.reasons] == ["future_date"]
        assert forums.published == []

    async def test_forums_are_listed_by_unit(self, forums: InMemoryForums) -> None:
        ours = await self.open(forums, "kel-candi")
        await self.open(forums, "kel-jomblang")
        listed = await handlers.list_forums("kel-candi", forums=forums)
        assert [(f.forum_id, f.items_count, f.attendees) for f in listed] == [(ours, 0, 25)]


class TestSummaries:
    async def test_the_summary_adds_up_the_quarter_and_names_the_sample(
        self, record: handlers.Record, tallies: InMemoryResponseTallies
    ) -> None:
        unit = random_id("kel")
        for i in range(9):
            channel = "online" if i % 3 else "counter"
            response = a_survey_submitted(
                unit_id=unit, period="2026-Q2", channel=channel, respondent={"sex": "P"}
            )
            await record(wrapped(response), None)
        summary = await handlers.summarise_responses(unit, "2026-Q2", 1000, tallies=tallies)
        assert summary.responses == 9
        assert summary.channels == {"online": 6, "counter": 3}
        assert summary.answers["u1"] == {"3": 9}
        assert summary.profile["sex"] == {"P": 9}
        assert summary.profile["occupation"] == {"unknown": 9}
        assert summary.sample.model_dump() == {"population": 1000, "minimum": 278, "reached": False}

    async def test_no_population_names_no_minimum(self, tallies: InMemoryResponseTallies) -> None:
        summary = await handlers.summarise_responses("kel-candi", "2026-Q1", 0, tallies=tallies)
        assert (summary.responses, summary.answers, summary.sample.minimum) == (0, {}, None)


def test_a_forum_state_starts_closed() -> None:
    assert not Forum().opened
