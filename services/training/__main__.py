"""`python -m services.training`: run the training service alone (as `mutu serve training` does)."""

from services.training.app import create_app
from services.training.settings import TrainingSettings
from shared.web.server import serve

if __name__ == "__main__":
    serve("training", create_app, TrainingSettings)
