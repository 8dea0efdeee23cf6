"""Who may call what: every route of every service, the key it needs and its answer to a probe.

The one table that the route walk (tests/e2e/test_access_walk.py), the app check
(tests/unit/test_access_table.py) and the README check (tests/docs/test_readme_keys.py) share.
A probe is the request the walk sends: sample path parameters, `{}` as the body of a write, and a
valid event for `/events`. `allowed` is the exact status for a key that passes the key check.
"""

from dataclasses import dataclass

from shared.web import apikeys


@dataclass(frozen=True)
class Access:
    role: apikeys.Role | None  # None: no key needed
    scope: str | None = None
    allowed: int = 200

    def expected(self, key: "KeyKind") -> int:
        """The status a probe with `key` gets: 401 without a key, 403 without the role or scope."""
        if self.role is None:
            return self.allowed
        if key.role is None:
            return 401
        if key.role == "admin":
            return self.allowed
        if key.role != self.role:
            return 403
        if self.scope is not None and key.scope not in {apikeys.ALL_SCOPES, self.scope}:
            return 403
        return self.allowed

    def readme(self) -> str:
        """How the README's key table writes this requirement."""
        if self.role is None:
            return "none"
        return f"{self.role} ({self.scope})" if self.scope else self.role


@dataclass(frozen=True)
class KeyKind:
    role: apikeys.Role | None
    scope: str | None = None

    @property
    def name(self) -> str:
        return "no key" if self.role is None else f"{self.role}:{self.scope or '*'}"


KEY_KINDS: tuple[KeyKind, ...] = (
    KeyKind(None),
    KeyKind("reader"),
    KeyKind("admin"),
    KeyKind("integrator", apikeys.ALL_SCOPES),
    *(KeyKind("integrator", scope) for scope in apikeys.SCOPES),
)

PUBLIC = Access(None)
READER = Access("reader")
DOCS = ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/asyncapi.json", "/asyncapi.yaml")
OPERATIONS = ("/healthz", "/readyz", "/metrics", "/units")  # every service answers these

ROUTES: dict[tuple[str, str, str], Access] = {
    **{(service, "GET", path): PUBLIC for service in ("training", "survey", "evaluation", "rewards")
       for path in (*DOCS, *OPERATIONS)},
    ("training", "POST", "/events"): Access("integrator", "TrainingCompleted", 202),
    ("training", "POST", "/programs"): Access("admin", allowed=422),
    ("training", "GET", "/programs"): PUBLIC,
    ("training", "GET", "/programs/{program_id}"): Access(None, allowed=404),
    ("training", "PATCH", "/programs/{program_id}"): Access("admin", allowed=404),
    ("training", "POST", "/programs/{program_id}/enrolments"): Access("integrator", "enrolments", 422),
    ("training", "DELETE", "/programs/{program_id}/enrolments/{nip}"): Access("integrator", "enrolments", 404),
    ("training", "GET", "/programs/{program_id}/enrolments"): Access("reader", allowed=404),
    ("training", "POST", "/groups"): Access("integrator", "groups", 422),
    ("training", "GET", "/groups/{group_id}"): Access("reader", allowed=404),
    ("training", "POST", "/groups/{group_id}/assessment"): Access("integrator", "groups", 422),
    ("training", "POST", "/xapi/statements"): Access("integrator", "xapi", 422),
    ("training", "GET", "/asn/{nip}/trainings"): READER,
    ("training", "GET", "/asn/{nip}/recommendations"): READER,
    ("training", "PUT", "/asn/{nip}"): Access("integrator", "roster", 422),
    ("training", "GET", "/units/{unit_id}/members"): READER,
    ("training", "GET", "/roster/jp"): READER,
    ("training", "GET", "/planning"): READER,
    ("survey", "GET", "/questionnaire"): PUBLIC,
    ("survey", "POST", "/responses"): Access(None, allowed=422),
    ("survey", "GET", "/s/{unit_id}"): PUBLIC,
    ("survey", "POST", "/s/{unit_id}"): Access(None, allowed=415),  # the walk posts JSON; the form takes urlencoded
    ("survey", "GET", "/s/{unit_id}/thanks"): PUBLIC,
    ("survey", "GET", "/units/{unit_id}/qr.svg"): PUBLIC,
    ("survey", "POST", "/tickets"): Access("integrator", "tickets", 422),
    ("survey", "GET", "/t/{ticket}"): Access(None, allowed=404),  # the probe's ticket is unknown
    ("survey", "POST", "/t/{ticket}"): Access(None, allowed=415),  # the walk posts JSON; the form takes urlencoded
    ("survey", "GET", "/units/{unit_id}/responses/summary"): Access("reader", allowed=422),
    ("survey", "POST", "/events"): Access("integrator", "SurveySubmitted", 202),
    ("survey", "POST", "/forums"): Access("integrator", "FeedbackReceived", 422),
    ("survey", "POST", "/forums/{forum_id}/items"): Access("integrator", "FeedbackReceived", 422),
    ("survey", "GET", "/forums"): READER,
    ("survey", "GET", "/units/{unit_id}/feedback"): READER,
    ("evaluation", "POST", "/events"): Access("integrator", "PerformanceAppraised", 202),
    ("evaluation", "GET", "/units/{unit_id}/ikm"): Access(None, allowed=422),
    ("evaluation", "GET", "/ikm"): Access(None, allowed=422),
    ("evaluation", "GET", "/asn/{nip}/profile"): READER,
    ("evaluation", "GET", "/recommendations"): READER,
    ("evaluation", "GET", "/forum-signals"): Access("reader", allowed=422),
    ("evaluation", "GET", "/recommendations/{recommendation_id}"): Access("reader", allowed=404),
    ("evaluation", "GET", "/rules"): PUBLIC,
    ("evaluation", "GET", "/programs/{program_id}/effectiveness"): READER,
    ("evaluation", "GET", "/effectiveness"): Access("reader", allowed=422),
    ("evaluation", "POST", "/evaluations/run"): Access("admin", allowed=422),
    ("rewards", "GET", "/asn/{nip}/points"): READER,
    ("rewards", "GET", "/leaderboard"): Access("reader", allowed=422),
    ("rewards", "POST", "/redemptions"): Access("integrator", "redemptions", 422),
    ("rewards", "POST", "/asn/{nip}/adjustments"): Access("admin", allowed=422),
}  # fmt: skip
