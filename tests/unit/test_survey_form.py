"""The public survey form: rendering, refused posts re-rendered (422), the shared rate limit, QR."""

import datetime as dt
import functools
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.survey import handlers, skm
from services.survey.model import TicketRequest
from services.survey.routes import form
from services.survey.settings import SurveySettings
from shared import web
from shared.contract import envelope, events, units
from shared.contract.calendar import Calendar
from shared.web import ratelimit
from tests.fakes import InMemoryResponses, InMemoryTickets

NOW = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)

ANSWERS = {f"u{i}": "4" for i in range(1, 10)}


class Recorded:
    def __init__(self) -> None:
        self.events: dict[str, envelope.CloudEvent[events.SurveySubmitted]] = {}

    async def __call__(self, event: envelope.CloudEvent[events.SurveySubmitted], comment: str | None) -> bool:
        new = event.id not in self.events
        self.events.setdefault(event.id, event)
        return new


@pytest.fixture
def recorded() -> Recorded:
    return Recorded()


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


def client_for(
    recorded: Recorded,
    burst: int = 60,
    tickets: InMemoryTickets | None = None,
    clock: Clock | None = None,
    **settings: object,
) -> TestClient:
    app = FastAPI()
    web.install(app, max_body_bytes=1 << 20)
    limiter = ratelimit.TokenBuckets(rate=0.001, burst=burst)
    tickets = tickets or InMemoryTickets()
    clock = clock or Clock()
    submit = functools.partial(
        handlers.submit_response,
        record=recorded,
        responses=InMemoryResponses(),
        tickets=tickets,
        units=units.load(),
        calendar=Calendar(),
        clock=clock,
    )
    configured = SurveySettings(**settings)
    app.include_router(form.build(submit, limiter=limiter, settings=configured, units=units.load()))
    app.include_router(
        form.build_ticket_form(submit, limiter=limiter, settings=configured, tickets=tickets, clock=clock)
    )
    return TestClient(app)


def response_id(page: str) -> str:
    found = re.search(r'name="response_id" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_the_form_shows_the_nine_elements_in_the_official_wording() -> None:
    page = client_for(Recorded()).get("/s/kel-candi").text
    assert '<html lang="id">' in page
    for code, _name, question, labels, _ in skm.ELEMENTS:
        assert question in page
        assert all(f'name="{code}" value="{v}"' in page for v in range(1, 5))
        assert all(label in page for label in labels)
    assert page.count("<fieldset") == 10  # nine elements, profile
    assert "<script" not in page
    assert "http://" not in page.replace('href="http://www.w3.org', "")


def test_english_is_one_link_away() -> None:
    client = client_for(Recorded())
    assert 'href="?lang=en"' in client.get("/s/kel-candi").text
    page = client.get("/s/kel-candi?lang=en").text
    assert '<html lang="en">' in page
    assert "How fast was the service delivered?" in page


def test_selects_come_from_the_configured_lists() -> None:
    page = client_for(Recorded(), service_types={"kel-candi": ["KTP-el", "izin"]}).get("/s/kel-candi").text
    assert '<option value="izin">' in page
    assert '<option value="KK">' not in page
    assert all(f'<option value="{o}">' in page for o in skm.OCCUPATIONS)


def test_a_submitted_form_is_recorded_once_even_if_sent_twice(recorded: Recorded) -> None:
    client = client_for(recorded)
    rid = response_id(client.get("/s/kel-candi").text)
    body = {"response_id": rid, "channel": "online", "lang": "id", "service_type": "KK", **ANSWERS}
    body |= {"age_band": "25-34", "occupation": "pegawai_swasta"}
    for _ in range(2):
        answer = client.post("/s/kel-candi", data=body, follow_redirects=False)
        assert answer.status_code == 303
    assert len(recorded.events) == 1
    (event,) = recorded.events.values()
    assert event.data.answers.u9 == 4
    assert event.data.respondent is not None
    assert event.data.respondent.occupation == "pegawai_swasta"
    thanks = client.get(answer.headers["location"])
    assert "Terima kasih" in thanks.text


def test_missing_answers_re_render_the_form_with_field_errors(recorded: Recorded) -> None:
    client = client_for(recorded)
    body = {
        "response_id": "r-1",
        "service_type": "KK",
        **ANSWERS,
        "u3": "",
        "u5": "7",
        "occupation": "hacker",
    }
    answer = client.post("/s/kel-candi", data=body)
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text
    assert 'id="e-u3"' in answer.text
    assert 'id="e-u5"' in answer.text
    assert 'id="e-occupation"' in answer.text
    assert 'name="u1" value="4" required checked' in answer.text  # what was given is kept
    assert not recorded.events


def test_a_service_type_outside_the_list_is_refused(recorded: Recorded) -> None:
    body = {"response_id": "r-2", "service_type": "<script>", **ANSWERS}
    answer = client_for(recorded).post("/s/kel-candi", data=body)
    assert answer.status_code == 422
    assert 'id="e-service_type"' in answer.text
    assert "<script>" not in answer.text


def test_a_full_rate_limit_says_when_to_try_again(recorded: Recorded) -> None:
    client = client_for(recorded, burst=1)
    body = {"service_type": "KK", **ANSWERS}
    assert client.post("/s/kel-candi", data=body, follow_redirects=False).status_code == 303
    answer = client.post("/s/kel-candi", data=body | {"lang": "en"})
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) > 0
    assert "Too many answers" in answer.text
    assert len(recorded.events) == 1


def test_the_qr_code_points_at_the_public_form_address() -> None:
    answer = client_for(Recorded(), public_url="https://skm.candisari.example/").get(
        "/units/kel-candi/qr.svg"
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/svg+xml"
    assert "https://skm.candisari.example/s/kel-candi" in answer.text


def test_unknown_unit_addresses_are_refused() -> None:
    client = client_for(Recorded())
    assert client.get("/s/..%2Fadmin").status_code == 404
    assert client.get("/units/Bad_Unit/qr.svg").status_code == 422


def test_a_unit_that_is_not_configured_has_no_form_no_qr_and_takes_no_answer(recorded: Recorded) -> None:
    client = client_for(recorded)
    assert client.get("/s/kel-nowhere").status_code == 404
    assert "Unit layanan tidak dikenal" in client.get("/s/kel-nowhere").text
    assert client.get("/units/kel-nowhere/qr.svg").status_code == 404
    body = {"service_type": "KK", **ANSWERS}
    assert client.post("/s/kel-nowhere", data=body, follow_redirects=False).status_code == 422
    assert not recorded.events


async def a_ticket(tickets: InMemoryTickets, clock: Clock) -> str:
    request = TicketRequest(
        unit_id="kel-candi", served_by_nip="198507142010011003", service_type="KK", channel="counter"
    )
    issued = await handlers.issue_ticket(
        request,
        base_url="http://survey",
        tickets=tickets,
        units=units.load(),
        offered=SurveySettings().service_types_for,
        ttl=dt.timedelta(days=14),
        clock=clock,
    )
    return issued.ticket


async def test_the_form_of_a_ticket_shows_its_service_and_officer_and_is_answered_once(
    recorded: Recorded,
) -> None:
    tickets, clock = InMemoryTickets(), Clock()
    code = await a_ticket(tickets, clock)
    client = client_for(recorded, tickets=tickets, clock=clock)
    page = client.get(f"/t/{code}")
    assert page.status_code == 200
    assert f'action="/t/{code}"' in page.text
    assert 'id="officer">198507142010011003<' in page.text
    assert 'name="service_type"' not in page.text  # the ticket's, not asked
    body = {"response_id": response_id(page.text), "lang": "id", **ANSWERS}
    answer = client.post(f"/t/{code}", data=body, follow_redirects=False)
    assert answer.status_code == 303
    assert "Terima kasih" in client.get(answer.headers["location"]).text
    (event,) = recorded.events.values()
    assert (event.data.unit_id, event.data.service_type, event.data.channel) == ("kel-candi", "KK", "counter")
    assert event.data.served_by_nip == "198507142010011003"
    again = client.get(f"/t/{code}?lang=en")
    assert again.status_code == 409
    assert "already used" in again.text
    other = client.post(f"/t/{code}", data=body | {"response_id": "r-other"})
    assert other.status_code == 409
    assert "Tiket sudah dipakai" in other.text
    assert len(recorded.events) == 1


async def test_an_expired_or_unknown_ticket_says_so(recorded: Recorded) -> None:
    tickets, clock = InMemoryTickets(), Clock()
    code = await a_ticket(tickets, clock)
    client = client_for(recorded, tickets=tickets, clock=clock)
    clock.now = NOW + dt.timedelta(days=14)
    page = client.get(f"/t/{code}")
    assert page.status_code == 410
    assert "Tiket sudah kedaluwarsa" in page.text
    answer = client.post(f"/t/{code}", data={"response_id": "r-late", **ANSWERS})
    assert answer.status_code == 410
    unknown = client.get("/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert unknown.status_code == 404
    assert "Tiket tidak dikenal" in unknown.text
    assert not recorded.events


def test_occupations_are_counted_by_code_and_free_text_never_becomes_a_field_path() -> None:
    from services.survey import decisions
    from services.survey.model import ResponseTally
    from shared.persistence.state_store import difference
    from tests.builders import a_survey_submitted

    def written(first: events.SurveySubmitted, then: events.SurveySubmitted) -> dict[str, object]:
        """The field paths the store writes when `then` is counted after `first`."""
        before = decisions.response_counted(ResponseTally(), first).state
        after = decisions.response_counted(before, then).state
        return difference(before.model_dump(), after.model_dump())

    coded = a_survey_submitted(respondent={"occupation": "pns"})
    typed = a_survey_submitted(respondent={"occupation": "guru.$ngaji"})
    assert written(typed, coded)["profile.occupation.pns"] == 1
    assert written(coded, typed)["profile.occupation.unknown"] == 1
    assert not [path for path in written(coded, typed) if "$" in path or "guru" in path]
