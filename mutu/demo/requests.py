"""A demo world as the HTTP calls an LMS, e-Kinerja, a kiosk and the programme office would make."""

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from mutu.demo import roster
from mutu.demo.world import Completion, World

CE_JSON = "application/cloudevents+json"
ADL = "http://adlnet.gov/expapi/verbs/"
LMS = "https://lms.candisari.semarangkota.go.id"
SOURCES = {
    "training": "urn:lms:candisari",
    "survey": "urn:skm:candisari-web",
    "evaluation": "urn:ekinerja:semarang",
}
# Route templates of the services' public APIs (PRODUCT.md); one place to follow them.
ROUTES = {
    "programs": "/programs",
    "enrol": "/programs/{program_id}/enrolments",
    "groups": "/groups",
    "assess": "/groups/{group_id}/assessment",
    "xapi": "/xapi/statements",
    "events": "/events",
    "responses": "/responses",
    "forums": "/forums",
    "run": "/evaluations/run?period={period}",
}


@dataclass(frozen=True)
class Call:
    """One request; `fallback` is tried when the route is absent (404/405), `then` after success."""

    kind: str
    service: str
    path: str
    role: str = "integrator"
    body: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fallback: "Call | None" = None
    then: tuple["Call", ...] = ()
    also_ok: frozenset[int] = frozenset()


def cloudevent(kind: str, service: str, event_type: str, event_id: str, data: dict[str, Any]) -> Call:
    body = {
        "specversion": "1.0",
        "id": event_id,
        "source": SOURCES[service],
        "type": event_type,
        "datacontenttype": "application/json",
        "data": data,
    }
    return Call(kind, service, ROUTES["events"], body=body, headers={"Content-Type": CE_JSON})


def binary_event(kind: str, service: str, event_type: str, event_id: str, data: dict[str, Any]) -> Call:
    headers = {
        "Content-Type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": event_id,
        "ce-source": SOURCES[service],
        "ce-type": event_type,
    }
    return Call(kind, service, ROUTES["events"], content=json.dumps(data).encode(), headers=headers)


def catalogue() -> list[Call]:
    calls = []
    for p in roster.CATALOGUE:
        start = dt.datetime(2027, 1, 18, 8, tzinfo=dt.UTC) if p.upcoming else roster.QUARTER_START
        body = {
            "program_id": p.program_id,
            "title": p.title,
            "competency": p.competency,
            "method": p.method,
            "jp": p.jp,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(days=60)).isoformat(),
            "capacity": p.capacity,
        }
        calls.append(
            Call("catalogue", "training", ROUTES["programs"], "admin", body, also_ok=frozenset({409}))
        )
    return calls


def statement(completion: Completion) -> dict[str, Any]:
    data = completion.data
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, completion.event_id)),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://simpeg.semarangkota.go.id", "name": data["nip"]},
        },
        "verb": {
            "id": f"{ADL}{'passed' if data['passed'] else 'failed'}",
            "display": {"en-US": "passed" if data["passed"] else "failed"},
        },
        "object": {"objectType": "Activity", "id": f"{LMS}/programs/{data['program_id']}"},
        "result": {
            "score": {"raw": data["score"], "min": 0, "max": 100},
            "success": data["passed"],
            "completion": True,
        },
        "timestamp": data["completed_at"],
        "context": {"extensions": {"urn:mutu:unit_id": data["unit_id"]}},
    }


def completion(item: Completion) -> Call:
    as_event = cloudevent("completion", "training", "TrainingCompleted", item.event_id, item.data)
    if item.transport == "binary":
        return binary_event("completion", "training", "TrainingCompleted", item.event_id, item.data)
    if item.transport == "xapi":
        enrol = Call(
            "completion",
            "training",
            ROUTES["enrol"].format(program_id=item.data["program_id"]),
            body={"nip": item.data["nip"], "unit_id": item.data["unit_id"]},
            also_ok=frozenset({409}),
            then=(Call("completion", "training", ROUTES["xapi"], body=statement(item), fallback=as_event),),
        )
        return Call(**{**enrol.__dict__, "fallback": as_event})
    return as_event


def groups(world: World) -> list[Call]:
    """A project group via the groups API, or each member's completion as an event where absent."""
    calls = []
    for group in world.groups:
        members = [c for c in world.completions if c.data.get("group_id") == group.group_id]
        fallback = [cloudevent("group", "training", "TrainingCompleted", c.event_id, c.data) for c in members]
        assess = Call(
            "group",
            "training",
            ROUTES["assess"].format(group_id=group.group_id),
            body={
                "score": group.score,
                "passed": group.passed,
                "completed_at": members[0].data["completed_at"],
            },
            also_ok=frozenset({409}),
        )
        body = {
            "group_id": group.group_id,
            "program_id": group.program_id,
            "unit_id": group.unit_id,
            "brief": group.brief,
            "members": list(group.members),
        }
        first, *rest = fallback
        calls.append(
            Call(
                "group",
                "training",
                ROUTES["groups"],
                body=body,
                then=(assess,),
                also_ok=frozenset({409}),
                fallback=Call(**{**first.__dict__, "then": tuple(rest)}),
            )
        )
    return calls


def responses(world: World) -> list[Call]:
    """Online answers come from the web form integrator (CloudEvents), counter ones from the kiosk.

    An answer that names its officer goes through the integrator too: the anonymous kiosk refuses it
    (only a service ticket or a keyed integrator may name a person).
    """
    calls = []
    for response in world.responses:
        as_event = cloudevent(
            "response", "survey", "SurveySubmitted", f"ev-{response['response_id']}", response
        )
        if response["channel"] == "online" or "served_by_nip" in response:
            calls.append(as_event)
        else:
            calls.append(Call("response", "survey", ROUTES["responses"], body=response, fallback=as_event))
    return calls


def forums(world: World) -> list[Call]:
    calls = []
    for forum in world.forums:
        items = [
            cloudevent(
                "feedback",
                "survey",
                "FeedbackReceived",
                f"ev-{item['feedback_id']}",
                {
                    **item,
                    "forum_id": forum["forum_id"],
                    "unit_id": forum["unit_id"],
                    "received_at": forum["held_at"],
                },
            )
            for item in forum["items"]
        ]
        first, *rest = items
        fallback = Call(**{**first.__dict__, "then": tuple(rest)})
        calls.append(
            Call(
                "feedback",
                "survey",
                ROUTES["forums"],
                body=forum,
                fallback=fallback,
                also_ok=frozenset({409}),
            )
        )
    return calls


def appraisals(world: World) -> list[Call]:
    return [
        cloudevent("appraisal", "evaluation", "PerformanceAppraised", a["event_id"], a["data"])
        for a in world.appraisals
    ]
