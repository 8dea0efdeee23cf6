"""Survey's wiring: it consumes nothing, publishes through the outbox what it declares, maps its errors."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from services.survey import model, routes, subscribers
from services.survey.settings import SurveySettings
from shared.contract import envelope, events
from shared.observability import metrics
from shared.runtime import Runtime
from shared.web import apikeys
from tests.builders import a_feedback_received, a_survey_submitted, structured
from tests.fakes import (
    InMemoryEventClaims,
    InMemoryFeedbackLog,
    InMemoryFeedbackTallies,
    InMemoryForums,
    InMemoryResponses,
    InMemoryResponseTallies,
    InMemoryTickets,
)


@dataclass
class Survey:
    runtime: Runtime
    http: httpx.AsyncClient
    key: dict[str, str]
    fakes: tuple[InMemoryResponses, InMemoryFeedbackLog, InMemoryForums]

    async def post_event(self, data: events.Event, event_id: str | None = None) -> httpx.Response:
        headers = self.key | {"Content-Type": envelope.CONTENT_TYPE}
        return await self.http.post("/events", json=structured(data, event_id=event_id), headers=headers)


@pytest.fixture
async def survey(tmp_path: Path) -> AsyncIterator[Survey]:
    """The app as the composition root makes it, with the in-memory adapters (nothing connected)."""
    settings = SurveySettings(mongodb_url="mongodb://127.0.0.1:1", var_dir=tmp_path)
    runtime = Runtime("survey", settings)
    runtime.produces += model.PUBLISHES
    subscribers.subscribe(runtime)
    fakes = InMemoryResponses(), InMemoryFeedbackLog(), InMemoryForums()
    routers = routes.build_routes(
        auth=runtime.auth,
        units=runtime.units,
        topics=runtime.topics,
        settings=settings,
        responses=fakes[0],
        feedback=fakes[1],
        forums=fakes[2],
        tallies=InMemoryResponseTallies(),
        totals=InMemoryFeedbackTallies(),
        tickets=InMemoryTickets(),
        claims=InMemoryEventClaims(),
    )
    app = runtime.app(title="Mutu survey", routers=routers)
    key = {"Authorization": f"Bearer {apikeys.KeyFile(settings.keys_file).create('integrator')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://survey") as http:
        yield Survey(runtime, http, key, fakes)


async def test_the_app_publishes_through_the_outbox_what_it_declares(survey: Survey) -> None:
    for data in (a_survey_submitted(), a_feedback_received()):
        assert (await survey.post_event(data)).status_code == 202
    forum = {"date": "2026-05-04", "unit_id": "kel-candi", "topic": "Antrian KTP", "attendees": 25}
    forum_id = (await survey.http.post("/forums", json=forum, headers=survey.key)).json()["id"]
    item = {"category": "complaint", "topic_code": "antrean", "topic": "antrian", "text": "tiga jam"}
    assert (
        await survey.http.post(f"/forums/{forum_id}/items", json=item, headers=survey.key)
    ).status_code == 202
    published = {e.type for fake in survey.fakes for e in fake.published}
    assert published == {e.__name__ for e in model.PUBLISHES}
    document = (await survey.http.get("/asyncapi.json")).json()
    assert survey.runtime.consumed == []
    assert {"survey.submitted", "survey.feedback_received", "survey.forum_held"} <= {
        channel["address"] for channel in document["channels"].values()
    }


def rejected(status: str) -> float:
    value = metrics.REGISTRY.get_sample_value(
        "mutu_events_rejected_total", {"route": "/events", "status": status}
    )
    return value or 0.0


async def test_refusals_answer_with_their_status_and_reasons_and_count_as_rejected(survey: Survey) -> None:
    before = rejected("422"), rejected("409")
    unlisted = await survey.post_event(a_survey_submitted(service_type="Paspor"))
    assert unlisted.status_code == 422
    assert [reason["loc"] for reason in unlisted.json()["detail"]] == [["body", "service_type"]]
    response = a_survey_submitted()
    assert (await survey.post_event(response)).status_code == 202
    other = response.model_copy(update={"answers": events.Answers(**{f"u{i}": 1 for i in range(1, 10)})})
    taken = await survey.post_event(other)
    assert (taken.status_code, taken.json()) == (
        409,
        {"detail": "this response_id already holds a different response"},
    )
    assert (rejected("422"), rejected("409")) == (before[0] + 1, before[1] + 1)
    missing = await survey.http.post(
        "/forums/nope/items",
        json={"category": "complaint", "topic_code": "antrean", "text": "x"},
        headers=survey.key,
    )
    assert (missing.status_code, missing.json()) == (404, {"detail": "no such forum"})


async def test_an_unknown_topic_code_is_refused_at_the_edge(survey: Survey) -> None:
    unknown = await survey.post_event(a_feedback_received(topic_code="no_such_topic"))
    assert unknown.status_code == 422
    assert [reason["loc"] for reason in unknown.json()["detail"]] == [["body", "data", "topic_code"]]
    assert (await survey.post_event(a_feedback_received(topic_code="antrean"))).status_code == 202
    forum = {"date": "2026-05-04", "unit_id": "kel-candi", "topic": "Forum", "topic_code": "nope"}
    assert (await survey.http.post("/forums", json=forum, headers=survey.key)).status_code == 422
    forum_id = (
        await survey.http.post("/forums", json=forum | {"topic_code": None}, headers=survey.key)
    ).json()["id"]
    item = {"category": "complaint", "topic_code": "nope", "text": "x"}
    refused = await survey.http.post(f"/forums/{forum_id}/items", json=item, headers=survey.key)
    assert (refused.status_code, refused.json()["detail"][0]["loc"]) == (422, ["body", "topic_code"])
    assert [e.type for fake in survey.fakes for e in fake.published].count("FeedbackReceived") == 1


async def test_attendance_names_well_formed_nips_once(survey: Survey) -> None:
    forum = {"date": "2026-05-04", "unit_id": "kel-candi", "topic": "Forum kehadiran"}
    for attended_by in (["123"], [NIP, NIP]):
        answer = await survey.http.post(
            "/forums", json=forum | {"attended_by": attended_by}, headers=survey.key
        )
        assert answer.status_code == 422
    too_few = forum | {"attended_by": [NIP], "attendees": 0}
    assert (await survey.http.post("/forums", json=too_few, headers=survey.key)).status_code == 422
    opened = await survey.http.post("/forums", json=forum | {"attended_by": [NIP]}, headers=survey.key)
    assert opened.status_code == 202
    (held,) = [e for fake in survey.fakes for e in fake.published if e.type == "ForumHeld"]
    assert (held.data.forum_id, held.data.attended_by, held.data.attendees) == (
        opened.json()["id"],
        (NIP,),
        1,
    )


async def test_a_kiosk_body_off_the_schema_answers_field_level_reasons(survey: Survey) -> None:
    answer = await survey.http.post("/responses", json={"name": "Budi"})
    assert answer.status_code == 422
    assert ["name"] in [reason["loc"] for reason in answer.json()["detail"]]
    assert "Budi" not in answer.text


ANSWERS = {f"u{i}": 4 for i in range(1, 10)}
NIP = "198507142010011003"


async def test_a_ticket_needs_its_scope_and_its_answer_names_the_officer_once(
    survey: Survey, tmp_path: Path
) -> None:
    keys = apikeys.KeyFile(SurveySettings(var_dir=tmp_path).keys_file)
    scoped = {"Authorization": f"Bearer {keys.create('integrator', scopes=('tickets',))}"}
    other = {"Authorization": f"Bearer {keys.create('integrator', scopes=('SurveySubmitted',))}"}
    body = {"unit_id": "kel-candi", "served_by_nip": NIP, "service_type": "KK", "channel": "counter"}
    assert (await survey.http.post("/tickets", json=body, headers=other)).status_code == 403
    issued = await survey.http.post("/tickets", json=body, headers=scoped)
    assert issued.status_code == 201
    ticket = issued.json()["ticket"]
    assert issued.json()["url"] == f"http://survey/t/{ticket}"
    unknown_unit = await survey.http.post("/tickets", json=body | {"unit_id": "kel-x"}, headers=scoped)
    assert unknown_unit.status_code == 422
    answer = {"response_id": "r-ticket", "ticket": ticket, "answers": ANSWERS}
    assert (await survey.http.post("/responses", json=answer)).status_code == 202
    again = await survey.http.post("/responses", json=answer | {"response_id": "r-again"})
    assert again.status_code == 409
    assert "already used" in again.json()["detail"]
    unknown = await survey.http.post("/responses", json=answer | {"ticket": "B" * 32, "response_id": "r-u"})
    assert (unknown.status_code, unknown.json()["detail"][0]["type"]) == (422, "unknown_ticket")
    responses = survey.fakes[0]
    assert [e.data.served_by_nip for e in responses.published] == [NIP]


async def test_anonymous_answers_and_intakes_refuse_officers_unknown_units_and_future_periods(
    survey: Survey,
) -> None:
    kiosk = {"response_id": "r-anon", "unit_id": "kel-candi", "service_type": "KK", "channel": "online"}
    named = await survey.http.post("/responses", json=kiosk | {"answers": ANSWERS, "served_by_nip": NIP})
    assert (named.status_code, named.json()["detail"][0]["type"]) == (422, "officer_without_ticket")
    phantom = await survey.http.post("/responses", json=kiosk | {"answers": ANSWERS, "unit_id": "kel-x"})
    assert phantom.status_code == 422
    future = await survey.http.post("/responses", json=kiosk | {"answers": ANSWERS, "period": "2099-Q1"})
    assert (future.status_code, future.json()["detail"][0]["type"]) == (422, "future_period")
    event = await survey.post_event(a_survey_submitted(period="2099-Q1"))
    assert event.status_code == 422
    forum = {"date": "2026-05-04", "unit_id": "kel-x", "topic": "Antrian KTP", "attendees": 25}
    assert (await survey.http.post("/forums", json=forum, headers=survey.key)).status_code == 422
    assert survey.fakes[0].published == []
