"""The services Mutu runs, each with its settings and composition root (the CLI's registry)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from services.evaluation.app import create_app as evaluation_app
from services.evaluation.settings import EvaluationSettings
from services.portal.app import create_app as portal_app
from services.portal.settings import PortalSettings
from services.rewards.app import create_app as rewards_app
from services.rewards.settings import RewardsSettings
from services.survey.app import create_app as survey_app
from services.survey.settings import SurveySettings
from services.training.app import create_app as training_app
from services.training.settings import TrainingSettings
from shared.settings import ServiceSettings


@dataclass(frozen=True)
class Service:
    name: str
    settings: type[ServiceSettings]
    create_app: Callable[[Any], FastAPI]

    @property
    def port(self) -> int:
        """The port it listens on unless PORT says otherwise."""
        default: int = self.settings.model_fields["port"].default
        return default


# The event services, in pipeline order, and the portal: a reader of their HTTP APIs.
EVENT_SERVICES = (
    Service("training", TrainingSettings, training_app),
    Service("survey", SurveySettings, survey_app),
    Service("evaluation", EvaluationSettings, evaluation_app),
    Service("rewards", RewardsSettings, rewards_app),
)
PORTAL = Service("portal", PortalSettings, portal_app)
BY_NAME = {service.name: service for service in (*EVENT_SERVICES, PORTAL)}
EVENT_SERVICE_NAMES = tuple(service.name for service in EVENT_SERVICES)
