"""`python -m services.portal`: run the portal service alone (as `mutu serve portal` does)."""

from services.portal.app import create_app
from services.portal.settings import PortalSettings
from shared.web.server import serve

if __name__ == "__main__":
    serve("portal", create_app, PortalSettings)
