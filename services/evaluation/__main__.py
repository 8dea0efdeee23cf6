"""`python -m services.evaluation`: run the evaluation service alone (as `mutu serve evaluation` does)."""

from services.evaluation.app import create_app
from services.evaluation.settings import EvaluationSettings
from shared.web.server import serve

if __name__ == "__main__":
    serve("evaluation", create_app, EvaluationSettings)
