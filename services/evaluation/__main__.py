"""`python -m services.evaluation`: run the evaluation service alone (as `mutu serve evaluation` does)."""

from mutu import launcher

if __name__ == "__main__":
    launcher.serve("evaluation")
