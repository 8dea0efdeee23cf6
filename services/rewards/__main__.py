"""`python -m services.rewards`: run the rewards service alone (as `mutu serve rewards` does)."""

from services.rewards.app import create_app
from services.rewards.settings import RewardsSettings
from shared.web.server import serve

if __name__ == "__main__":
    serve("rewards", create_app, RewardsSettings)
