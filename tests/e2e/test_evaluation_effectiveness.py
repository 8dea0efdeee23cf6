"""Programme effectiveness through the running services: the README's worked example, posted as events.

Answers naming the officers come from a keyed integrator (SurveySubmitted with `served_by_nip`)
for 2026-Q1 and 2026-Q3, passes from the LMS (TrainingCompleted) in 2026-Q2, ratings from
e-Kinerja; on 29 November 2026 Q3 has closed. Expected numbers are computed by hand here.
"""

import datetime as dt
import math
import statistics
from typing import Any

import httpx
import pytest

from mutu import report
from mutu.demo import charts
from mutu.demo import command as demo
from services.evaluation import ikm
from shared.contract import events
from tests import infra
from tests.builders import a_survey_submitted, a_training_completed, random_id, random_nip, structured

pytestmark = pytest.mark.e2e
IN_Q2 = dt.datetime(2026, 5, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
# Per answer, its mean over u3, u6, u7, u8 -> those four answers (the other five elements are 3).
OFFICER = {2.0: (2, 2, 2, 2), 2.5: (2, 3, 2, 3), 3.0: (3, 3, 3, 3), 3.5: (4, 3, 4, 3), 4.0: (4, 4, 4, 4)}
SEEDED: dict[str, dict[str, list[float]]] = {  # person -> quarter -> answers' means
    "a": {"2026-Q1": [2.5, 2.5, 3.0, 3.0, 3.0, 3.5], "2026-Q3": [3.0, 3.5, 3.5, 3.5, 4.0]},
    "b": {"2026-Q1": [2.5, 3.0, 3.0, 3.0, 3.5, 3.5], "2026-Q3": [3.0, 3.5, 3.5, 4.0, 4.0]},
    "c": {"2026-Q1": [2.0] * 4},  # answers before only: passed, not counted
    "d": {"2026-Q1": [3.0] * 3, "2026-Q3": [3.5] * 2},  # the programme with too few answers
}
T_0975_DF_19_30 = (
    2.0908  # Student t, 0.975 quantile, 19.30 degrees of freedom (t table: 2.093 at 19, 2.086 at 20)
)


async def post(http: httpx.AsyncClient, url: str, key: str, data: events.Event) -> None:
    answer = await infra.post_cloudevent(http, url, key, structured(data, event_id=random_id()))
    assert answer.status_code == 202, answer.text


async def read(
    http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, path: str, **params: str
) -> Any:
    answer = await http.get(
        f"{stack.urls['evaluation']}{path}", params=params, headers={"Authorization": f"Bearer {keys.reader}"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def seed(
    http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys
) -> tuple[str, str, dict[str, str]]:
    good, thin = random_id("prog"), random_id("prog")
    nips = {name: random_nip() for name in SEEDED}
    for name, quarters in SEEDED.items():
        for period, means in quarters.items():
            for mean in means:
                u3, u6, u7, u8 = OFFICER[mean]
                answers = dict.fromkeys(ikm.ELEMENTS, 3) | {"u3": u3, "u6": u6, "u7": u7, "u8": u8}
                submitted = a_survey_submitted(served_by_nip=nips[name], period=period, answers=answers)
                await post(http, stack.urls["survey"], keys.integrator, submitted)
    for name in SEEDED:
        program = thin if name == "d" else good
        passed = a_training_completed(nip=nips[name], program_id=program, score=80, completed_at=IN_Q2)
        await post(http, stack.urls["training"], keys.integrator, passed)
    for period, rating in (("2025", "BAIK"), ("2026", "SANGAT_BAIK"), ("2026-Q3", "SANGAT_BAIK")):
        appraised = events.PerformanceAppraised(
            nip=nips["a"], unit_id="kel-candi", period=period, rating=rating
        )
        await post(http, stack.urls["evaluation"], keys.integrator, appraised)
    return good, thin, nips


def by_hand() -> dict[str, Any]:
    before = [m for person in "ab" for m in SEEDED[person]["2026-Q1"]]
    after = [m for person in "ab" for m in SEEDED[person]["2026-Q3"]]
    v1, v2 = statistics.variance(before) / len(before), statistics.variance(after) / len(after)
    se = math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (len(before) - 1) + v2**2 / (len(after) - 1))
    difference = statistics.mean(after) - statistics.mean(before)
    assert round(df, 2) == 19.30
    return {
        "before": {"answers": 12, "mean": 3.0, "sd": round(statistics.stdev(before), 4)},
        "after": {"answers": 10, "mean": 3.55, "sd": round(statistics.stdev(after), 4)},
        "difference": round(difference, 4),
        "low": round(difference - T_0975_DF_19_30 * se, 4),
        "high": round(difference + T_0975_DF_19_30 * se, 4),
        "se": round(se, 4),
        "df": round(df, 2),
    }


async def test_effectiveness_equals_the_hand_computation_and_too_few_is_not_a_number(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    good, thin, _ = await seed(http, stack, keys)
    expected = by_hand()

    async def settled() -> dict[str, Any] | None:
        body = await read(http, stack, keys, f"/programs/{good}/effectiveness")
        complete = body["people"]["passed"] == 3 and body["after"]["answers"] == 10
        return body if complete and body["before"]["answers"] == 12 and body["appraisals"]["after"] else None

    body = await infra.eventually(settled, timeout=60)
    assert body["people"] == {
        "passed": 3,
        "waiting": 0,
        "answered_before": 3,
        "answered_after": 2,
        "counted": 2,
    }
    assert body["before"] == expected["before"]
    assert body["after"] == expected["after"]
    assert body["difference"] == expected["difference"] == 0.55
    interval = body["interval"]
    assert (interval["low"], interval["high"]) == (expected["low"], expected["high"]) == (0.2196, 0.8804)
    assert (interval["se"], interval["df"], interval["level"]) == (expected["se"], expected["df"], 0.95)
    assert body["appraisals"] == {"before": {"BAIK": 1}, "after": {"SANGAT_BAIK": 1}}
    assert body["reason"] is None

    async def thin_settled() -> dict[str, Any] | None:
        found = await read(http, stack, keys, f"/programs/{thin}/effectiveness")
        return found if found["before"]["answers"] == 3 and found["after"]["answers"] == 2 else None

    thin_body = await infra.eventually(thin_settled, timeout=60)
    assert (thin_body["difference"], thin_body["interval"], thin_body["before"]["mean"]) == (None, None, None)
    assert thin_body["reason"] == "not enough data: 3 answers before and 2 after (at least 10 on each side)"

    ranking = await read(http, stack, keys, "/effectiveness", period="2026-Q2")
    rows = {row["program_id"]: row for row in ranking["programs"]}
    assert rows[good]["rank"] is not None
    assert (rows[good]["difference"], rows[good]["before"]["answers"], rows[good]["after"]["answers"]) == (
        0.55,
        12,
        10,
    )
    assert (rows[thin]["rank"], rows[thin]["difference"]) == (None, None)
    assert rows[thin]["reason"].startswith("not enough data")
    ranks = [row["rank"] for row in ranking["programs"]]
    assert ranks == sorted(ranks, key=lambda rank: (rank is None, rank or 0))  # numbers first, in order
    assert good not in {
        row["program_id"]
        for row in (await read(http, stack, keys, "/effectiveness", period="2026-Q3"))["programs"]
    }


async def test_effectiveness_needs_a_reader_key_and_a_period(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    url = stack.urls["evaluation"]
    assert (await http.get(f"{url}/programs/p-none/effectiveness")).status_code == 401
    reader = {"Authorization": f"Bearer {keys.reader}"}
    assert (await http.get(f"{url}/effectiveness", headers=reader)).status_code == 422
    assert (
        await http.get(f"{url}/effectiveness", params={"period": "2026-13"}, headers=reader)
    ).status_code == 422


async def test_the_report_has_a_section_per_programme_and_draws_before_and_after(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    good, thin, _ = await seed(http, stack, keys)

    async def settled() -> dict[str, Any] | None:
        body = await read(http, stack, keys, f"/programs/{good}/effectiveness")
        return body if body["difference"] is not None else None

    await infra.eventually(settled, timeout=60)
    await infra.eventually(lambda: _thin_measured(http, stack, keys, thin), timeout=60)
    target = demo.Target(urls=stack.urls, keys={"reader": keys.reader})
    found = await report.gather_report(target, "2026-Q4", people={}, units={})
    text = report.render_text(found)
    assert "Programme effectiveness (first passed in 2026)" in text
    lines = text.splitlines()
    good_at = lines.index(next(line for line in lines if line.endswith(f" {good}")))
    assert lines[good_at + 1].strip() == (
        "before 3.00 (12 answers)  after 3.55 (10 answers)  difference +0.55 [+0.22, +0.88]"
    )
    assert lines[good_at + 2].strip().startswith("2 of 3 who passed counted; appraisals before: BAIK 1;")
    thin_at = lines.index(f"    - {thin}")  # unranked
    assert lines[thin_at + 1].strip().startswith("not enough data: 3 answers before and 2 after")
    page = charts.page(found)
    assert 'id="chart-effectiveness"' in page
    assert page.count('class="before"') == page.count('class="after"') >= 1
    assert f"{good}</text>" in page
    assert "<script" not in page


async def _thin_measured(
    http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, thin: str
) -> bool | None:
    body = await read(http, stack, keys, f"/programs/{thin}/effectiveness")
    return True if body["after"]["answers"] == 2 else None
