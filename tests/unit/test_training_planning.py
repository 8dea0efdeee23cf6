"""Unmet demand: the pure plan of a period, the use case on in-memory adapters, the report section."""

import datetime as dt
from pathlib import Path
from typing import Any

from mutu import report
from mutu.demo import charts
from services.training import metrics
from services.training.handlers import planning as planning_handlers
from services.training.handlers import retraining, roster
from services.training.model import planning
from services.training.model.planning import Demand
from services.training.model.programmes import Programme
from services.training.settings import TrainingSettings
from shared.contract import events
from shared.contract.calendar import Calendar
from shared.observability.metrics import REGISTRY
from tests.builders import random_id, random_nip, wrapped
from tests.unit.test_training_handlers import Fakes, a_programme, a_recommendation, on_roster

CALENDAR = Calendar("Asia/Jakarta")
NOW = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)  # in 2026-Q4
SOON = NOW + dt.timedelta(days=10)


def a_programme_of(competency: str, *, capacity: int = 10, enrolled: int = 0, **changes: Any) -> Programme:
    starts_at = changes.pop("starts_at", SOON)
    fields: dict[str, Any] = {
        "program_id": random_id("prog"),
        "title": "Pelatihan",
        "competency": competency,
        "method": "classroom",
        "jp": 8,
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(days=1),
        "capacity": capacity,
        "enrolled_count": enrolled,
    }
    return Programme.model_validate(fields | changes)


def plan_of(demand: list[Demand], programmes: list[Programme], period: str = "2026-Q4") -> planning.Plan:
    return planning.plan(
        period, demand, programmes, calendar=CALENDAR, now=NOW, default_timezone="Asia/Jakarta"
    )


class TestPlan:
    def test_a_competency_with_demand_and_no_programme_is_listed_first(self) -> None:
        found = plan_of(
            [
                Demand(competency="digital_service", people=9),
                Demand(competency="service_ethics", people=2, units=("kel-candi",)),
            ],
            [a_programme_of("digital_service", capacity=4, enrolled=1)],
        )
        first, second = found.competencies
        assert (first.competency, first.no_programme, first.people_waiting, first.gap) == (
            "service_ethics",
            True,
            2,
            2,
        )
        assert first.units_waiting == ["kel-candi"]
        assert first.programmes == []
        # the larger gap of digital_service comes second: it has a programme, three free seats
        assert (second.competency, second.no_programme, second.free_seats, second.gap) == (
            "digital_service",
            False,
            3,
            6,
        )

    def test_free_seats_reduce_the_gap_and_never_make_it_negative(self) -> None:
        found = plan_of(
            [
                Demand(competency="data_management", people=3),
                Demand(competency="change_management", people=5),
            ],
            [
                a_programme_of("data_management", capacity=10, enrolled=2),
                a_programme_of("change_management", capacity=3, enrolled=1),
                a_programme_of(  # full: no free seat; listed after the sooner one
                    "change_management", capacity=2, enrolled=2, starts_at=SOON + dt.timedelta(days=1)
                ),
            ],
        )
        rows = {r.competency: r for r in found.competencies}
        assert (rows["data_management"].free_seats, rows["data_management"].gap) == (8, 0)
        assert (rows["change_management"].free_seats, rows["change_management"].gap) == (2, 3)
        assert [p.free_seats for p in rows["change_management"].programmes] == [2, 0]
        assert [r.competency for r in found.competencies] == ["change_management", "data_management"]

    def test_only_programmes_still_to_start_in_the_period_or_later_count(self) -> None:
        started = a_programme_of("service_ethics", starts_at=NOW - dt.timedelta(hours=1))
        next_quarter = a_programme_of("service_ethics", starts_at=dt.datetime(2027, 1, 5, tzinfo=dt.UTC))
        this_quarter = a_programme_of("service_ethics", starts_at=SOON)
        demand = [Demand(competency="service_ethics", people=4)]
        now_on = plan_of(demand, [started, this_quarter, next_quarter])
        [row] = now_on.competencies
        assert [p.program_id for p in row.programmes] == [this_quarter.program_id, next_quarter.program_id]
        assert now_on.seats_from == NOW
        [later] = plan_of(demand, [started, this_quarter, next_quarter], period="2027-Q1").competencies
        assert [p.program_id for p in later.programmes] == [next_quarter.program_id]
        assert (later.free_seats, later.gap) == (10, 0)

    def test_a_period_begins_at_midnight_in_the_programme_calendar(self) -> None:
        # 00:00 WIB on 1 January 2027 is 17:00 UTC on 31 December: a programme then is in 2027-Q1
        midnight = dt.datetime(2026, 12, 31, 17, tzinfo=dt.UTC)
        before = a_programme_of("service_ethics", starts_at=midnight - dt.timedelta(minutes=1))
        at = a_programme_of("service_ethics", starts_at=midnight)
        found = plan_of([], [before, at], period="2027-Q1")
        assert [p.program_id for p in found.competencies[0].programmes] == [at.program_id]
        assert found.seats_from == midnight
        assert found.competencies[0].programmes[0].starts_at == "2027-01-01T00:00:00+07:00"

    def test_competencies_without_demand_or_programme_are_left_out_and_ties_go_by_code(self) -> None:
        found = plan_of(
            [
                Demand(competency="public_communication", people=2),
                Demand(competency="digital_service", people=2),
                Demand(competency="data_management", people=0),
            ],
            [a_programme_of("change_management")],
        )
        assert [(r.competency, r.gap) for r in found.competencies] == [
            ("digital_service", 2),
            ("public_communication", 2),
            ("change_management", 0),
        ]

    def test_the_gauge_has_every_configured_competency(self) -> None:
        found = plan_of([Demand(competency="budgeting", people=3)], [])
        assert planning.gaps(found, ["digital_service", "service_ethics"]) == {
            "digital_service": 0,
            "service_ethics": 0,
            "budgeting": 3,
        }


class TestPlanOnTheRecords:
    async def test_unit_and_person_recommendations_are_counted_and_scheduled_ones_are_not(self) -> None:
        fakes = Fakes()
        members = sorted(random_nip() for _ in range(3))
        for nip in members:
            await roster.put_on_roster(nip, on_roster("kel-candi"), repos=fakes.repos, now=NOW)
        alone = random_nip()
        unit_rec = a_recommendation(nip=None, unit_id="kel-candi", competency="service_ethics")
        await retraining.recommend(unit_rec, repos=fakes.repos, now=NOW)
        await retraining.recommend(
            a_recommendation(nip=alone, competency="service_ethics"), repos=fakes.repos, now=NOW
        )
        await retraining.recommend(
            a_recommendation(nip=members[0], competency="service_ethics"), repos=fakes.repos, now=NOW
        )  # a second open recommendation of the same person counts them once
        before = await planning_handlers.plan(
            "2026-Q4", repos=fakes.repos, calendar=CALENDAR, default_timezone="Asia/Jakarta", now=NOW
        )
        [row] = before.competencies
        assert (row.people_waiting, row.units_waiting, row.no_programme, row.gap) == (
            4,
            ["kel-candi"],
            True,
            4,
        )

        program = await a_programme(fakes, competency="service_ethics", capacity=2, now=NOW)
        after = await planning_handlers.plan(
            "2026-Q4", repos=fakes.repos, calendar=CALENDAR, default_timezone="Asia/Jakarta", now=NOW
        )
        [row] = after.competencies
        # the new programme's two seats went to waiting people: they no longer wait, no seat is free
        assert (row.people_waiting, row.free_seats, row.gap, row.no_programme) == (2, 0, 2, False)
        assert [p.program_id for p in row.programmes] == [program.program_id]


class TestReport:
    """`mutu report` shows training's GET /planning as its unmet demand section, text and HTML."""

    def planning(self) -> dict[str, Any]:
        found = plan_of(
            [
                Demand(competency="digital_service", people=9),
                Demand(competency="service_ethics", people=2, units=("kel-candi",)),
            ],
            [a_programme_of("digital_service", capacity=4, enrolled=1)],
        )
        return found.model_dump(mode="json")

    def test_the_text_lists_the_competency_without_a_programme_first(self) -> None:
        demand = report.unmet_demand(self.planning())
        assert demand["gap"] == 8
        title, head, first, second = report.render_unmet_demand(demand)
        assert title.startswith("Unmet retraining demand: 8 people waiting")
        assert head.split() == ["competency", "waiting", "units", "programmes", "free", "seats", "gap"]
        assert first.split() == ["service_ethics", "2", "1", "0", "0", "2", "no", "programme"]
        assert second.split() == ["digital_service", "9", "0", "1", "3", "6"]

    def test_nobody_waiting_says_so(self) -> None:
        demand = report.unmet_demand(plan_of([], []).model_dump(mode="json"))
        assert report.render_unmet_demand(demand)[1] == "  nobody waits and no programme is planned"

    def test_the_html_page_has_the_table_and_a_report_without_it_still_renders(self) -> None:
        section = charts._unmet_demand(report.unmet_demand(self.planning()))
        assert "<table id=unmet-demand>" in section
        rows = section.split("<tr>")[2:]
        assert rows[0].startswith("<td>service_ethics</td><td class=num>2</td><td>kel-candi</td>")
        assert "no programme" in rows[0]
        assert "no programme" not in rows[1]
        assert charts._unmet_demand(None) == ""


class TestDemandGauge:
    async def test_the_gauge_follows_the_store_and_a_competency_once_shown_goes_back_to_zero(
        self, tmp_path: Path
    ) -> None:
        fakes = Fakes()
        settings = TrainingSettings(mongodb_url="mongodb://127.0.0.1:1", var_dir=tmp_path)
        gauge = metrics.DemandGauge(fakes.repos, settings, ["digital_service"], clock=lambda: NOW)
        competency = f"c_{random_id()[-8:]}"  # not configured: shown while it has demand
        recommended = a_recommendation(competency=competency)
        await retraining.recommend(recommended, repos=fakes.repos, now=NOW)
        assert await gauge.refresh() == {"digital_service": 0, competency: 1}
        assert REGISTRY.get_sample_value("mutu_training_unmet_demand", {"competency": competency}) == 1
        resolution = events.RecommendationResolved(
            recommendation_id=recommended.data.recommendation_id, status="done", evidence={}, resolved_at=NOW
        )
        await retraining.resolve(wrapped(resolution), repos=fakes.repos)
        assert await gauge.refresh() == {"digital_service": 0, competency: 0}
        assert REGISTRY.get_sample_value("mutu_training_unmet_demand", {"competency": competency}) == 0
