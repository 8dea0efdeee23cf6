"""The closed lists a survey response is checked against: the unit's services and the occupations."""

from typing import Any

from services.survey import skm
from shared import events


def problems(response: events.SurveySubmitted, service_types: tuple[str, ...]) -> list[dict[str, Any]]:
    """Field-level reasons (without echoing the input) for values outside the configured lists."""
    found = []
    if response.service_type not in service_types:
        found.append(
            {
                "loc": ["body", "service_type"],
                "msg": f"service_type must be one of the unit's services: {', '.join(service_types)}",
                "type": "enum",
            }
        )
    occupation = response.respondent.occupation if response.respondent else None
    if occupation is not None and occupation not in skm.OCCUPATIONS:
        found.append(
            {
                "loc": ["body", "respondent", "occupation"],
                "msg": f"occupation must be one of {', '.join(skm.OCCUPATIONS)}",
                "type": "enum",
            }
        )
    return found
