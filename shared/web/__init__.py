"""HTTP plumbing shared by the services: probes, metrics, API-key checks, CloudEvent intake, 4xx."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from bson.errors import InvalidDocument
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import errors
from shared.contract import envelope, events, units
from shared.observability import metrics
from shared.persistence import storage
from shared.web import apikeys, redact

# `FastAPI(telemetry=...)`: FastAPI's own spans off. shared.observability.tracing.HttpTracing
# makes the one server span per request; FastAPI's would be a second one, with operation spans
# for dependencies and serialization, built per request once a tracer provider is installed.
NO_NATIVE_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

Check = Callable[[], Awaitable[bool]]


class Accepted(BaseModel):
    id: str


class UnitsAnswer(BaseModel):
    units: list[units.Unit]


def unit_list(known: units.Units) -> APIRouter:
    """GET /units: the configured units (public: names of offices, no personal data)."""
    router = APIRouter(tags=["units"])

    @router.get("/units")
    async def list_units() -> UnitsAnswer:
        return UnitsAnswer(units=list(known))

    return router


def probes(checks: Mapping[str, Check]) -> APIRouter:
    """/healthz (alive), /readyz (every check passes, else 503 naming what is down), /metrics."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", responses={503: {"description": "a dependency is down"}})
    async def readyz() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        ready = all(results.values())
        body: dict[str, object] = {"status": "ready" if ready else "not ready", "checks": results}
        if not ready:
            body["down"] = [name for name, ok in results.items() if not ok]
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router


_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


class Requirement:
    """A FastAPI dependency demanding a live key of a role (and scope): 401 without one, 403 if wrong."""

    def __init__(self, keys: apikeys.KeyFile, role: apikeys.Role, scope: str | None) -> None:
        self.keys = keys
        self.role = role
        self.scope = scope

    async def __call__(self, credentials: Credentials) -> apikeys.ApiKey:
        key = self.keys.verify(credentials.credentials) if credentials else None
        if key is None:
            raise HTTPException(401, "a valid API key is required", {"WWW-Authenticate": "Bearer"})
        if not key.allows(self.role, None):
            raise HTTPException(403, f"this route needs a key of role {self.role}")
        if not key.allows(self.role, self.scope):
            raise HTTPException(403, f"this key lacks the scope {self.scope}")
        return key


class Auth:
    """Builds the key requirements of a service's routes from its key file."""

    def __init__(self, keys: apikeys.KeyFile) -> None:
        self._keys = keys

    def require(self, role: apikeys.Role, scope: str | None = None) -> Requirement:
        return Requirement(self._keys, role, scope)


def check_scope(key: apikeys.ApiKey, event_type: str) -> None:
    if not key.allows("integrator", event_type):
        raise HTTPException(403, f"this key lacks the scope {event_type}")


async def read_event(
    request: Request, accepted: Mapping[str, type[events.Event]]
) -> envelope.CloudEvent[events.Event]:
    """Parse a CloudEvent in structured or binary HTTP mode: 400 if malformed, 422 if invalid."""
    body = await request.body()
    try:
        return envelope.parse_http(request.headers.get("content-type", ""), request.headers, body, accepted)
    except envelope.MalformedEventError as error:
        raise HTTPException(400, str(error)) from None
    except envelope.InvalidEventError as error:
        raise HTTPException(422, error.errors) from None


class BodyLimit:
    """ASGI middleware: 413 for bodies over the limit, whether announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLargeError
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLargeError:
            await _too_large(scope, receive, send)


class _TooLargeError(StarletteHTTPException):
    """Raised by the body stream; an HTTP exception, so FastAPI's body parsing passes it on as 413."""

    def __init__(self) -> None:
        super().__init__(413, "request body too large")


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    await JSONResponse({"detail": "request body too large"}, status_code=413)(scope, receive, send)


def install(app: FastAPI, *, max_body_bytes: int) -> None:
    """Body limit, and 4xx answers that give reasons without echoing input or personal data."""
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": redact.validation_errors(error.errors())}, status_code=422)

    @app.exception_handler(storage.DocumentTooLargeError)
    async def too_large_to_store(_: Request, error: storage.DocumentTooLargeError) -> JSONResponse:
        return JSONResponse({"detail": f"this record is full: {error}"}, status_code=409)

    @app.exception_handler(InvalidDocument)
    async def cannot_store(_: Request, __: InvalidDocument) -> JSONResponse:
        return JSONResponse({"detail": "a value in the request cannot be stored"}, status_code=422)

    @app.exception_handler(errors.MutuError)
    async def domain_error(_: Request, error: errors.MutuError) -> JSONResponse:
        detail = redact.validation_errors(error.reasons) if error.reasons else redact.text(str(error))
        return JSONResponse({"detail": detail}, status_code=error.status)

    @app.exception_handler(StarletteHTTPException)
    async def refused(_: Request, error: StarletteHTTPException) -> Response:
        if error.status_code in {204, 304}:
            return Response(status_code=error.status_code, headers=error.headers)
        body = {"detail": redact.detail(error.detail)}
        return JSONResponse(body, status_code=error.status_code, headers=error.headers)


class Intake:
    """What a service takes at POST /events: one typed handler per event type.

    `Intake(units).on(events.TrainingCompleted, record_completion)` checks at type-check time that the
    handler takes a `CloudEvent[TrainingCompleted]`; the handler answers whether the event was new.
    """

    def __init__(self, known_units: units.Units) -> None:
        self._units = known_units
        self._handlers: dict[type[events.Event], Callable[[Any], Awaitable[bool]]] = {}

    def on[E: events.Event](
        self, event: type[E], handler: Callable[[envelope.CloudEvent[E]], Awaitable[bool]]
    ) -> "Intake":
        self._handlers[event] = handler
        return self

    @property
    def accepted(self) -> list[type[events.Event]]:
        return list(self._handlers)

    async def __call__(self, event: envelope.CloudEvent[events.Event]) -> bool:
        """Refuse an unknown unit (422), then hand the event to its handler."""
        unit_id = getattr(event.data, "unit_id", None)
        if unit_id is not None:
            self._units.require(unit_id, ("body", "data", "unit_id"))
        return await self._handlers[type(event.data)](event)


def event_intake(auth: Auth, intake: Intake) -> APIRouter:
    """POST /events: an integrator's CloudEvent, answered 202 once durably recorded (or seen before)."""
    router = APIRouter(tags=["events"])
    by_type = {event.__name__: event for event in intake.accepted}
    schemas = {name: _inlined(event.model_json_schema()) for name, event in by_type.items()}

    @router.post(
        "/events",
        status_code=202,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    envelope.CONTENT_TYPE: {
                        "schema": {
                            "type": "object",
                            "description": f"a CloudEvent whose type is one of {sorted(by_type)}",
                        }
                    },
                    "application/json": {"schema": {"oneOf": list(schemas.values())}},
                },
            }
        },
        responses={400: {}, 401: {}, 403: {}, 413: {}, 422: {}},
    )
    async def post_event(
        request: Request, key: Annotated[apikeys.ApiKey, Depends(auth.require("integrator"))]
    ) -> Accepted:
        try:
            event = await read_event(request, by_type)
            check_scope(key, event.type)
            fresh = await intake(event)
        except (HTTPException, errors.MutuError) as error:
            status = error.status_code if isinstance(error, HTTPException) else error.status
            metrics.EVENTS_REJECTED.labels("/events", str(status)).inc()
            raise
        metrics.EVENTS_ACCEPTED.labels(event.type, "new" if fresh else "duplicate").inc()
        return Accepted(id=event.id)

    return router


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its local `$defs` inlined: `#/$defs/...` breaks inside OpenAPI."""
    defs = schema.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined
