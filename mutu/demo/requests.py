"""A demo world as the HTTP calls an LMS, e-Kinerja, a kiosk and the programme office would make."""

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from mutu import roster as hr
from mutu.demo import roster
from mutu.demo.roster import Person
from mutu.demo.world import Completion, Phase, World
from shared.contract.calendar import Calendar

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
    "roster": "/asn/{nip}",
    "members": "/units/{unit_id}/members",
    "tickets": "/tickets",
    "responses": "/responses",
    "forums": "/forums",
    "items": "/forums/{forum_id}/items",
    "run": "/evaluations/run?period={period}",
}


@dataclass(frozen=True)
class Call:
    """One request; `fallback` is tried when the route is absent (404/405), `then` after success.

    `carry` names a field of the previous call's JSON answer copied into this call's body (the
    ticket code of `POST /tickets` into the answer that uses it).
    """

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
    method: str = "POST"
    carry: str | None = None

    def carried(self, answer: Any) -> "Call":
        """The call with `carry` taken from the previous answer (unchanged when it has none)."""
        if self.carry is None or not isinstance(answer, dict) or self.carry not in answer:
            return self
        return Call(**{**self.__dict__, "body": {**self.body, self.carry: answer[self.carry]}})


def cloudevent(  # noqa: PLR0917 - the CloudEvent's own attributes
    kind: str, service: str, event_type: str, event_id: str, data: dict[str, Any], time: str | None = None
) -> Call:
    body = {
        "specversion": "1.0",
        "id": event_id,
        "source": SOURCES[service],
        "type": event_type,
        "datacontenttype": "application/json",
        "data": data,
    }
    if time is not None:
        body["time"] = time
    return Call(kind, service, ROUTES["events"], body=body, headers={"Content-Type": CE_JSON})


def roster_row(person: Person) -> dict[str, str]:
    """The person as a row of an HR export (`mutu roster import`'s columns)."""
    return {
        "nip": person.nip,
        "unit_id": person.unit_id,
        "employee_type": person.employee_type,
        "name": person.name or "",
        "active": "true" if person.active else "false",
    }


def roster_calls(world: World) -> list[Call]:
    """Everyone on the training roster first, as the HR system (integrator scope `roster`) puts them.

    The body is `mutu roster import`'s for the same row, so the demo's roster file imports alike.
    """
    return [
        Call(
            "roster",
            "training",
            ROUTES["roster"].format(nip=person.nip),
            body=hr.body_of(roster_row(person)),
            method="PUT",
        )
        for person in world.roster
    ]


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
        if p.held_in is not None:
            start = Calendar().quarter_start(p.held_in) + dt.timedelta(days=7, hours=8)
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
    """Online answers come from the web form integrator (CloudEvents), some counter ones from the kiosk.

    At the kiosk an answer that names its officer is made with a service ticket: the counter's
    system asks `POST /tickets` (integrator scope `tickets`) for the officer, the citizen answers
    with the ticket on `POST /responses`, which names the officer from it. An answer without one
    stays anonymous (the kiosk refuses a named officer without a ticket). The other counter answers
    come from the counter system's integration (`world.KIOSK_PER_UNIT`).
    """
    calls = []
    for response in world.responses:
        as_event = cloudevent(
            "response", "survey", "SurveySubmitted", f"ev-{response['response_id']}", response
        )
        if response["response_id"] not in world.kiosk:
            calls.append(as_event)
        elif "served_by_nip" in response:
            keys = ("unit_id", "served_by_nip", "service_type", "channel")
            answer = {k: response[k] for k in ("response_id", "period", "answers", "respondent")}
            with_ticket = Call(
                "ticketed", "survey", ROUTES["responses"], body=answer | {"ticket": ""}, carry="ticket"
            )
            body = {k: response[k] for k in keys}
            calls.append(
                Call("ticket", "survey", ROUTES["tickets"], body=body, then=(with_ticket,), fallback=as_event)
            )
        else:
            calls.append(Call("response", "survey", ROUTES["responses"], body=response, fallback=as_event))
    return calls


def past(world: World, phase: Phase) -> list[Call]:
    """Late answers of a closed quarter, from the integrator (it may name the officer), timed in it."""
    return [
        cloudevent(
            f"past-{phase}",
            "survey",
            "SurveySubmitted",
            f"ev-{answer.data['response_id']}",
            answer.data,
            answer.time,
        )
        for answer in world.past
        if answer.phase == phase
    ]


def forums(world: World) -> list[Call]:
    """Each forum as the programme office records it: `POST /forums` (who attended), then its items."""
    calls = []
    for forum in world.forums:
        items = tuple(
            Call(
                "feedback",
                "survey",
                ROUTES["items"].format(forum_id=forum["forum_id"]),
                body={
                    "item_id": item["feedback_id"],
                    "category": item["category"],
                    "topic_code": item["topic_code"],
                    "topic": item["topic"],
                    "text": item["topic"],
                },
            )
            for item in forum["items"]
        )
        body = {
            "forum_id": forum["forum_id"],
            "date": forum["held_at"][:10],
            "unit_id": forum["unit_id"],
            "topic": forum["topic"],
            "attendees": max(forum["attendees"], len(forum["attended_by"])),
            "attended_by": forum["attended_by"],
        }
        calls.append(Call("feedback", "survey", ROUTES["forums"], body=body, then=items))
    return calls


def appraisals(world: World) -> list[Call]:
    return [
        cloudevent("appraisal", "evaluation", "PerformanceAppraised", a["event_id"], a["data"])
        for a in world.appraisals
    ]
