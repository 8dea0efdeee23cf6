"""Composition root of the portal: sign-in, the pages, the reader client; no store, no broker."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from services.portal import auth, pages, report
from services.portal.client import Services
from services.portal.settings import PortalSettings
from shared import web
from shared.web import users

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def nice(value: object, digits: int = 2) -> str:
    """A figure with fixed decimals; '-' for what is missing."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    return f"{value:.{digits}f}"


templates.env.filters["nice"] = nice


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page; every signed-in page carries the session's CSRF token for its logout form."""
    context.setdefault("notices", [])
    context["csrf"] = auth.csrf_token(request)
    answer = templates.TemplateResponse(request, name, context, status_code=status)
    answer.headers["Cache-Control"] = "no-store"
    return answer


def render_report(data: dict[str, Any]) -> str:
    """The SKM report as a standalone HTML page (no navigation), for `mutu report --pdf`."""
    return templates.env.get_template("skm_report.html").render(**data, user=None, csrf="")


def services_for(settings: PortalSettings) -> Services:
    return Services(
        settings.urls(),
        settings.reader_token(),
        timeout=settings.request_timeout_seconds,
        public_survey_url=(settings.survey_public_url or settings.survey_url).rstrip("/"),
    )


def create_app(settings: PortalSettings) -> FastAPI:
    services = services_for(settings)
    accounts = users.UserFile(settings.users_path)
    signed_in = auth.signed_in(accounts)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await services.aclose()

    app = FastAPI(
        title="Mutu portal",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        telemetry=web.NO_NATIVE_TELEMETRY,
    )
    web.install(app, max_body_bytes=64 * 1024)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_key(),
        session_cookie="mutu_portal",
        max_age=int(settings.session_hours * 3600),
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_exception_handler(auth.SignInRequiredError, auth.redirect_to_sign_in)
    app.include_router(web.probes({}))
    app.include_router(auth.build(accounts, render))
    app.include_router(pages.build(services, signed_in, render))
    app.include_router(report.build(services, signed_in, render))
    return app
