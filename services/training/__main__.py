"""`python -m services.training`: run the training service alone (as `mutu serve training` does)."""

from mutu import launcher

if __name__ == "__main__":
    launcher.serve("training")
