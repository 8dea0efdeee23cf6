"""`python -m services.portal`: run the portal alone (as `mutu serve portal` does)."""

from mutu import launcher

if __name__ == "__main__":
    launcher.serve("portal")
