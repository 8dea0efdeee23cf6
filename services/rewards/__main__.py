"""`python -m services.rewards`: run the rewards service alone (as `mutu serve rewards` does)."""

from mutu import launcher

if __name__ == "__main__":
    launcher.serve("rewards")
