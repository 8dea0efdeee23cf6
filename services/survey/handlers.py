"""Survey use cases as async verbs."""

from shared import envelope, events
from shared.aggregates import Aggregates, Change
from shared.storage import Document


async def record_response(
    submitted: envelope.CloudEvent[events.SurveySubmitted],
    *,
    responses: Aggregates,
    comment: str | None = None,
) -> bool:
    """Keep one response per response_id and publish it once; False if seen before."""
    response = submitted.data

    def decide(doc: Document) -> Change | None:
        if doc:  # the same response_id under another event id: already recorded
            return None
        kept = response.model_dump(mode="json") | {"event_id": submitted.id, "comment": comment}
        return Change(set=kept, publish=[submitted])  # the comment stays here, never on the bus

    return await responses.apply(response.response_id, submitted.id, decide)


async def record_feedback(
    received: envelope.CloudEvent[events.FeedbackReceived], *, feedback: Aggregates
) -> bool:
    item = received.data

    def decide(doc: Document) -> Change | None:
        if doc:
            return None
        return Change(set=item.model_dump(mode="json") | {"event_id": received.id}, publish=[received])

    return await feedback.apply(item.feedback_id, received.id, decide)
