"""Survey's wiring: it consumes nothing, and what its routes publish through the outbox is what it declares."""

from pathlib import Path

import httpx

from services.survey import model, routes, subscribers
from services.survey.settings import SurveySettings
from shared import apikeys, envelope
from shared.runtime import Runtime
from tests.builders import a_feedback_received, a_survey_submitted, structured
from tests.fakes import (
    InMemoryFeedbackLog,
    InMemoryFeedbackTallies,
    InMemoryForums,
    InMemoryResponses,
    InMemoryResponseTallies,
)


async def test_the_app_publishes_through_the_outbox_what_it_declares(tmp_path: Path) -> None:
    settings = SurveySettings(mongodb_url="mongodb://127.0.0.1:1", var_dir=tmp_path)
    runtime = Runtime("survey", settings)
    runtime.produces += model.PUBLISHES
    subscribers.subscribe(runtime)
    responses, feedback, forums = InMemoryResponses(), InMemoryFeedbackLog(), InMemoryForums()
    routers = routes.build_routes(
        auth=runtime.auth,
        settings=settings,
        responses=responses,
        feedback=feedback,
        forums=forums,
        tallies=InMemoryResponseTallies(),
        totals=InMemoryFeedbackTallies(),
    )
    app = runtime.app(title="Mutu survey", routers=routers)
    key = {"Authorization": f"Bearer {apikeys.KeyFile(settings.keys_file).create('integrator')}"}
    cloudevent = key | {"Content-Type": envelope.CONTENT_TYPE}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://survey") as http:
        for data in (a_survey_submitted(), a_feedback_received()):
            assert (await http.post("/events", json=structured(data), headers=cloudevent)).status_code == 202
        forum = {"date": "2026-05-04", "unit_id": "kel-candi", "topic": "Antrian KTP", "attendees": 25}
        forum_id = (await http.post("/forums", json=forum, headers=key)).json()["id"]
        item = {"category": "complaint", "topic": "antrian", "text": "tiga jam"}
        assert (await http.post(f"/forums/{forum_id}/items", json=item, headers=key)).status_code == 202
        published = {e.type for fake in (responses, feedback, forums) for e in fake.published}
        assert published == {e.__name__ for e in model.PUBLISHES}
        document = (await http.get("/asyncapi.json")).json()
    assert runtime.consumed == []
    assert {"survey.submitted", "survey.feedback_received"} <= {
        channel["address"] for channel in document["channels"].values()
    }
