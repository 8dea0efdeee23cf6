"""`python -m services.survey`: run the survey service alone (as `mutu serve survey` does)."""

from services.survey.app import create_app
from services.survey.settings import SurveySettings
from shared.web.server import serve

if __name__ == "__main__":
    serve("survey", create_app, SurveySettings)
