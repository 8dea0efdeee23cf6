"""Survey's subscription table: empty. Survey consumes no events; integrators post to `POST /events`."""

from shared.runtime import Runtime


def subscribe(runtime: Runtime) -> None:
    """Nothing to subscribe: survey is a source (SurveySubmitted, FeedbackReceived), not a consumer."""
    del runtime
