"""Survey use cases as async verbs."""

from shared import envelope, events
from shared.aggregates import Aggregates, Change
from shared.storage import Document


class ResponseConflictError(ValueError):
    """The response_id already holds a different response (kiosk and integrators share the ids)."""


async def record_response(
    submitted: envelope.CloudEvent[events.SurveySubmitted],
    *,
    responses: Aggregates,
    comment: str | None = None,
) -> bool:
    """Keep one response per response_id and publish it once; False if seen before.

    The same response again (any event id) is a duplicate; a different one under a response_id
    already used raises ResponseConflictError, and nothing is stored or published.
    """
    response = submitted.data
    wanted = response.model_dump(mode="json")

    def decide(doc: Document) -> Change | None:
        if doc:  # the response_id is taken: a duplicate if the response is the same
            if not _same(doc, wanted):
                raise ResponseConflictError(CONFLICT)
            return None
        kept = wanted | {"event_id": submitted.id, "comment": comment}
        return Change(set=kept, publish=[submitted])  # the comment stays here, never on the bus

    fresh = await responses.apply(response.response_id, submitted.id, decide)
    if not fresh:  # the same event id again (a kiosk id derives from the response_id): same content?
        stored = await responses.get(response.response_id)
        if stored is not None and not _same(stored, wanted):
            raise ResponseConflictError(CONFLICT)
    return fresh


CONFLICT = "this response_id already holds a different response"


def _same(stored: Document, wanted: Document) -> bool:
    return all(stored.get(name) == value for name, value in wanted.items())


async def record_feedback(
    received: envelope.CloudEvent[events.FeedbackReceived], *, feedback: Aggregates
) -> bool:
    item = received.data

    def decide(doc: Document) -> Change | None:
        if doc:
            return None
        return Change(set=item.model_dump(mode="json") | {"event_id": received.id}, publish=[received])

    return await feedback.apply(item.feedback_id, received.id, decide)
