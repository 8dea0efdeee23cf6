"""Sign-in for the portal: Argon2-checked users, a signed session cookie, CSRF tokens, logout."""

import hmac
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.web import forms, ratelimit, users

MAX_FORM_BYTES = 4096
Render = Callable[..., HTMLResponse]


class SignInRequiredError(Exception):
    """Raised by `signed_in` for a request without a live session; answered with a redirect."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use); every form posts it back."""
    token: str | None = request.session.get("csrf")
    if token is None:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, fields: dict[str, str]) -> bool:
    expected = request.session.get("csrf")
    return bool(expected) and hmac.compare_digest(str(expected), fields.get("csrf", ""))


def safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (`//evil`, a backslash or a scheme)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def signed_in(accounts: users.UserFile) -> Callable[[Request], users.User]:
    """A dependency: the signed-in user (still in the user file), else SignInRequiredError."""

    def current(request: Request) -> users.User:
        user = accounts.users().get(request.session.get("user", ""))
        if user is None:
            raise SignInRequiredError
        return user

    return current


def redirect_to_sign_in(request: Request, _: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={target}" if target != "/" else "/login", status_code=303)


def build(accounts: users.UserFile, render: Render) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    attempts = ratelimit.TokenBuckets(rate=0.2, burst=10)  # per client: brute force is slow

    def login_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        context = {"next": safe_next(request.query_params.get("next")), "error": None} | context
        return render(request, "login.html", status, csrf=csrf_token(request), **context)

    @router.get("/login", response_class=HTMLResponse)
    async def show_login(request: Request) -> HTMLResponse:
        return login_page(request)

    @router.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        fields = await forms.read_form(request, MAX_FORM_BYTES)
        target = safe_next(fields.get("next"))
        if not csrf_ok(request, fields):
            return login_page(request, 403, next=target, error="Formulir kedaluwarsa; silakan coba lagi.")
        if attempts.take(request.client.host if request.client else "unknown") > 0:
            return login_page(request, 429, next=target, error="Terlalu banyak percobaan; tunggu sebentar.")
        user = accounts.verify(fields.get("username", "").strip(), fields.get("password", ""))
        if user is None:
            return login_page(request, 401, next=target, error="Nama pengguna atau kata sandi salah.")
        request.session.clear()  # a new session on sign-in: no fixation
        request.session.update({"user": user.name, "csrf": secrets.token_urlsafe(24)})
        return RedirectResponse(target, status_code=303)

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        fields = await forms.read_form(request, MAX_FORM_BYTES)
        if not csrf_ok(request, fields):
            return login_page(request, 403, error="Formulir kedaluwarsa; silakan keluar lagi.")
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    return router
