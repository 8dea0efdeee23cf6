"""The demo's simulated quarter without services: seeded, valid against the contract, as designed."""

from collections import Counter

from mutu.demo import charts as demo_charts
from mutu.demo import expect as demo_expect
from mutu.demo import requests as demo_requests
from mutu.demo import roster
from mutu.demo import world as demo_world
from services.survey.model import KioskResponse, TicketRequest
from services.training.model.roster import RosterEntry
from shared.contract import envelope, events


def test_the_same_seed_gives_the_same_quarter_and_another_seed_another() -> None:
    one, again, other = (demo_world.build(s, "small") for s in (7, 7, 8))
    assert demo_expect.summary(one) == demo_expect.summary(again)
    assert one.responses == again.responses
    assert {p.nip for p in one.people}.isdisjoint({p.nip for p in other.people})


def test_every_event_the_demo_sends_passes_the_contract() -> None:
    world = demo_world.build(11, "full")
    calls = [demo_requests.completion(c) for c in world.completions if c.transport != "group"]
    calls += demo_requests.appraisals(world) + demo_requests.responses(world)
    calls += [c for phase in ("served", "weak", "recovered") for c in demo_requests.past(world, phase)]
    for call in calls:
        event = call if call.path == "/events" else call.fallback
        assert event is not None
        if event.body is not None:
            envelope.parse(event.body)
    for completion in world.completions:
        events.TrainingCompleted(**completion.data)
    past = [a.data["response_id"] for a in world.past]
    ids = [r["response_id"] for r in world.responses] + past + [c.event_id for c in world.completions]
    assert len(ids) == len(set(ids))
    for call in demo_requests.roster_calls(world):  # what `mutu roster import` sends for the same row
        assert call.method == "PUT"
        RosterEntry.model_validate(call.body)


def test_named_counter_answers_use_tickets_and_anonymous_ones_name_nobody() -> None:
    world = demo_world.build(2026, "small")
    calls = demo_requests.responses(world)
    tickets = [c for c in calls if c.kind == "ticket"]
    assert len(tickets) == demo_expect.tickets(world) > 0
    for ticket in tickets:
        assert ticket.path == "/tickets"
        TicketRequest.model_validate(ticket.body)
        (answer,) = ticket.then
        assert answer.path == "/responses"
        assert "served_by_nip" not in answer.body  # the ticket names the officer
        used = answer.carried({"ticket": "t" * 22, "url": "x", "expires_at": "x"})
        KioskResponse.model_validate(used.body)
        assert used.body["ticket"] == "t" * 22
    kiosk = [c for c in calls if c.kind == "response"]
    assert kiosk
    assert all("served_by_nip" not in c.body for c in kiosk)


def test_the_closed_quarters_hold_a_weak_unit_that_recovers_and_a_programme_with_an_effect() -> None:
    world = demo_world.build(2026, "small")
    unit = demo_expect.unit_outcome(world)
    assert unit["respondents"] >= 30
    assert unit["nrr"] < 3.0644
    assert unit["status"] == "done"
    assert unit["recovered_in"] == "2026-Q3"
    assert unit["recovered_nrr"] >= 3.0644
    assert unit["never_trained"]
    assert set(unit["never_trained"]) <= set(unit["members"])
    assert unit["left"]
    assert set(unit["left"]).isdisjoint(unit["members"])
    trained = {c.data["nip"] for c in world.completions}
    assert trained.isdisjoint(unit["never_trained"])
    past = demo_expect.past_unit_recommendations(world)
    assert past == {(world.weak, "2026-Q2", "unit_element_low", "service_ethics")}
    assert (world.weak, "unit_element_low", "service_ethics") in demo_expect.recommendations(world)
    # one programme with a measurable effect (it pays the adaptation reward), one without enough data
    found = demo_expect.effectiveness(world)
    assert found[demo_world.EFFECT_PROGRAMME]["measured"] == len(world.effect) >= 1
    assert found[demo_world.EFFECT_PROGRAMME]["mean_rise"] >= 0.25
    assert found[demo_world.THIN_PROGRAMME]["measured"] == 0
    assert demo_expect.adaptation(world) == {(nip, demo_world.EFFECT_PROGRAMME) for nip in world.effect}
    points = demo_expect.points(world)
    for nip in world.effect:
        assert points[nip] >= 25
    # no JP pace recommendation from the 2026-Q2 passes: each programme is 10 JP or more
    assert demo_expect.jp_pace(world) == set()
    # the late answers stay a few hundred at most
    assert len(demo_world.build(2026, "full").past) <= 300


def test_the_quarter_covers_all_units_both_channels_and_one_struggling_unit() -> None:
    world = demo_world.build(2026, "small")
    channels = Counter((r["unit_id"], r["channel"]) for r in world.responses)
    assert {u for u, _ in channels} == set(roster.UNITS)
    assert channels[world.struggling, "online"] >= 30
    units = demo_expect.units(world)
    assert units[world.struggling]["converted"] < min(
        u["converted"] for k, u in units.items() if k != world.struggling
    )
    recs = demo_expect.unit_recommendations(world, closed=True)  # once its quarter has closed
    assert {unit for unit, _, _ in recs} == {world.struggling}  # below the B band: only the struggling one
    assert (world.struggling, "unit_element_low", "online_service_guidance") in recs
    assert demo_expect.unit_recommendations(world, closed=False) == set()  # none while under way
    methods = Counter(c.transport for c in world.completions)
    assert set(methods) == {"xapi", "group", "structured", "binary"}
    assert sum(1 for p in demo_expect.points(world).values() if p >= 25) >= 1


def test_the_expected_ikm_follows_the_regulation() -> None:
    answers = [{f"u{i}": 4 for i in range(1, 10)}] * 2 + [{f"u{i}": 2 for i in range(1, 10)}] * 2
    row = demo_expect.ikm([{"answers": a} for a in answers])
    assert row["converted"] == 75.0
    assert row["grade"] == "C"
    assert demo_expect.grade(88.31) == "A"
    assert demo_expect.grade(88.30) == "B"


def test_the_html_page_is_self_contained() -> None:
    report = {
        "period": "2026-Q4",
        "units": [
            {
                "unit_id": "kel-candi",
                "respondents": 3,
                "converted": 80.5,
                "grade": "B",
                "by_channel": {
                    "online": {"converted": 70.0, "nrr": dict.fromkeys(demo_expect.ELEMENTS, 2.5)},
                    "counter": {"converted": 90.0},
                },
            }
        ],
        "elements": dict.fromkeys(demo_expect.ELEMENTS, 3.0),
        "jp": {"duty": 20, "people": 2, "met": 1, "distribution": [("0", 1), ("20-29", 1)]},
        "earners": [{"nip": "198609262015051001", "unit_id": "kel-candi", "points": 30}],
        "recommendations": {"by_status": {}, "by_rule": {}, "open": []},
    }
    page = demo_charts.page(report)
    assert page.count('class="bar"') == 1 + 9 + 9 + 2
    assert "<script" not in page
    assert "<link" not in page
    assert page.count("#cf222e") == 9  # every online element of kel-candi is below 2.6
