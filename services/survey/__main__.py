"""`python -m services.survey`: run the survey service alone (as `mutu serve survey` does)."""

from mutu import launcher

if __name__ == "__main__":
    launcher.serve("survey")
