"""`mutu demo`: drive the running services through their public APIs with a simulated quarter."""

import argparse
import asyncio
import csv
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mutu import roster as hr
from mutu.demo import expect, requests, roster, settle, world
from mutu.demo.requests import Call
from mutu.services import EVENT_SERVICES

SERVICES = {service.name: service.port for service in EVENT_SERVICES}
RETRY = frozenset({429, 502, 503, 504})
TOO_MANY = 429
RETRIES, PATIENCE = 7, 60  # tries after a 5xx; after a 429 (the kiosk allows one client 5 answers/s)
ABSENT = frozenset({404, 405})
SHAPE = 422
STATUSES = ("open", "scheduled", "done", "expired")


@dataclass
class Target:
    urls: dict[str, str]
    keys: dict[str, str]


@dataclass
class Progress:
    """A plain progress bar on stderr (one line per phase when stderr is not a terminal)."""

    total: int
    done: int = 0
    phase: str = ""
    started: float = field(default_factory=time.monotonic)
    quiet: bool = False
    seen: set[str] = field(default_factory=set)

    def step(self, phase: str) -> None:
        self.done += 1
        if self.quiet:
            return
        if not sys.stderr.isatty():
            if phase not in self.seen:
                print(f"demo: {phase} ... ({self.done}/{self.total})", file=sys.stderr)
            self.seen.add(phase)
            return
        self.phase = phase
        filled = int(30 * self.done / max(self.total, 1))
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        bar = "#" * filled + "." * (30 - filled)
        sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} {rate:5.0f}/s {phase:<12}")
        if self.done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


class Driver:
    """Sends calls with bounded concurrency, retries on 429/5xx, and follows fallbacks."""

    def __init__(
        self, client: httpx.AsyncClient, target: Target, concurrency: int, progress: Progress
    ) -> None:
        self.client = client
        self.target = target
        self.limit = asyncio.Semaphore(concurrency)
        self.progress = progress
        self.outcomes: Counter[str] = Counter()
        self.errors: list[str] = []
        self.warnings: set[str] = set()

    async def send(self, call: Call, previous: Any = None) -> None:
        call = call.carried(previous)
        status, text = await self._request(call)
        if call.fallback is not None and (status in ABSENT or status == SHAPE):
            # the route is absent, or takes another body than the contract led us to send:
            # the same fact still arrives as a CloudEvent on the service's /events
            self.outcomes[f"{call.kind}:fallback"] += 1
            if status == SHAPE:
                self.warnings.add(f"{call.kind} {call.method} {call.path} -> {status}: {text[:200]}")
            await self.send(call.fallback)
            return
        if status >= 300 and status not in call.also_ok:  # noqa: PLR2004
            self.errors.append(f"{call.kind} {call.method} {call.path} -> {status}: {text[:200]}")
        if status < 300 or status in call.also_ok:  # noqa: PLR2004
            self.outcomes[f"{call.kind}:{status}"] += 1
            answer = _json(text) if any(f.carry for f in call.then) else None
            for follow in call.then:
                await self.send(follow, answer)
        else:
            self.outcomes[f"{call.kind}:{status}"] += 1

    async def _request(self, call: Call) -> tuple[int, str]:
        url = self.target.urls[call.service] + call.path
        headers = {"Authorization": f"Bearer {self.target.keys[call.role]}", **call.headers}
        for attempt in range(PATIENCE):
            async with self.limit:
                try:
                    answer = await self.client.request(
                        call.method, url, json=call.body, content=call.content, headers=headers
                    )
                except httpx.TransportError as error:
                    status, text, wait = 599, str(error), 0.5
                else:
                    status, text = answer.status_code, answer.text
                    wait = float(answer.headers.get("retry-after", 0) or 0.2 * 2**attempt)
            if status not in RETRY and status != 599:  # noqa: PLR2004
                break
            if status != TOO_MANY and attempt >= RETRIES:
                break  # the kiosk's rate limit (429) is waited out longer than a failing service
            await asyncio.sleep(min(wait, 5))
        return status, text

    async def phase(self, calls: list[Call]) -> None:
        async def one(call: Call) -> None:
            await self.send(call)
            self.progress.step(call.kind)

        await asyncio.gather(*(one(c) for c in calls))


async def simulate(
    target: Target,
    *,
    seed: int = 2026,
    scale: world.Scale = "small",
    concurrency: int = 16,
    quiet: bool = False,
) -> dict[str, Any]:
    """Send one quarter; wait until evaluation has it; run the quarter end; return what was sent."""
    quarter = world.build(seed, scale)
    expected = expect.summary(quarter)
    wanted = expected["unit_recommendation"]
    phases = [
        requests.roster_calls(quarter),  # first: a unit's recommendation reaches its roster members
        requests.catalogue(),
        [requests.completion(c) for c in quarter.completions if c.transport != "group"]
        + requests.groups(quarter)
        + requests.appraisals(quarter),
        requests.responses(quarter) + requests.forums(quarter) + requests.past(quarter, "served"),
    ]
    weak, recovered = requests.past(quarter, "weak"), requests.past(quarter, "recovered")
    progress = Progress(sum(map(len, phases)) + len(weak) + len(recovered) + 5, quiet=quiet)
    async with httpx.AsyncClient(timeout=30) as client:
        await settle.preflight(client, target)
        driver = Driver(client, target, concurrency, progress)
        for calls in phases:
            await driver.phase(calls)
        # the closed 2026-Q2, late: the weak unit's recommendation opens for its members; only
        # then 2026-Q3, where the element is back in the B band: the recommendation is done
        await driver.phase(weak)
        opened = await settle.unit_recommendation(client, target, wanted, frozenset(STATUSES))
        progress.step("unit-opened")
        await driver.phase(recovered)
        outcome = await settle.unit_recommendation(client, target, wanted, frozenset({wanted["status"]}))
        progress.step("unit-outcome")
        settled = await settle.evaluation(client, target, expected)
        progress.step("settle")
        run = Call(  # 409 while the quarter is under way: its quarter-end rules wait for its end
            "quarter-end",
            "evaluation",
            requests.ROUTES["run"].format(period=roster.PERIOD),
            "admin",
            also_ok=frozenset() if expect.quarter_over() else frozenset({409}),
        )
        await driver.send(run)
        progress.step("quarter-end")
        settled = await settle.rewards(client, target, expected) and settled
        settled = settled and opened is not None and outcome is not None
        progress.step("rewards")
    roster_file = {
        "period": roster.PERIOD,
        "people": [p.__dict__ for p in quarter.people],
        "left": [p.__dict__ for p in quarter.leavers],
        "units": roster.UNITS,
    }
    return expected | {
        "settled": settled,
        "outcomes": dict(sorted(driver.outcomes.items())),
        "errors": driver.errors[:20],
        "warnings": sorted(driver.warnings)[:20],
        "roster": roster_file,
        "roster_rows": [requests.roster_row(p) for p in quarter.roster],
        "unit_recommendation_found": outcome or opened,
    }


def load_keys(var_dir: Path) -> dict[str, str]:
    path = var_dir / "dev-keys.json"
    keys: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    for role in ("integrator", "reader", "admin"):
        keys[role] = os.environ.get(f"MUTU_{role.upper()}_KEY", keys.get(role, ""))
    if not all(keys.values()):
        sys.exit(f"demo: no API keys: start `make run` (writes {path}) or set MUTU_INTEGRATOR_KEY etc.")
    return keys


def target_from(args: argparse.Namespace) -> Target:
    urls = {s: getattr(args, f"base_url_{s}") or f"http://127.0.0.1:{port}" for s, port in SERVICES.items()}
    return Target(
        {s: u.rstrip("/") for s, u in urls.items()}, load_keys(Path(os.environ.get("VAR_DIR", "var")))
    )


def add_urls(parser: argparse.ArgumentParser) -> None:
    for service, port in SERVICES.items():
        parser.add_argument(f"--base-url-{service}", help=f"default http://127.0.0.1:{port}")


def _run(args: argparse.Namespace) -> None:
    target = target_from(args)
    try:
        sent = asyncio.run(simulate(target, seed=args.seed, scale=args.scale, concurrency=args.concurrency))
    except settle.NotRunningError as error:
        sys.exit(f"demo: {error}")
    var_dir = Path(os.environ.get("VAR_DIR", "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / "demo-roster.json").write_text(json.dumps(sent["roster"], indent=1))
    with (var_dir / "demo-roster.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=hr.COLUMNS)
        writer.writeheader()
        writer.writerows(sent["roster_rows"])
    (var_dir / "demo-summary.json").write_text(
        json.dumps({k: v for k, v in sent.items() if k not in {"roster", "roster_rows"}}, indent=1)
    )
    print(f"demo: {sent['people']} civil servants in {len(roster.UNITS)} units, {roster.PERIOD}")
    print(f"  roster: {sent['rostered']} people put on the training roster (1 who left, inactive)", end="")
    print(f" -> {var_dir / 'demo-roster.csv'} (`mutu roster import` takes it)")
    print(f"  sent {sent['completions']} completions ({sent['groups']} project groups), ", end="")
    print(f"{sent['responses']} survey responses, {sent['feedback']} forum items, ", end="")
    print(f"{sent['appraisals']} appraisals")
    used = sent["outcomes"].get("ticketed:202", 0)
    print(f"  service tickets: {sent['outcomes'].get('ticket:201', 0)} issued, {used} used by answers")
    print(f"  late answers of the closed quarters 2026-Q1..Q3: {sent['past_responses']}")
    print(f"  struggling with online services: {sent['struggling_unit']}")
    _print_unit(sent)
    for nip, program_id in sent["adaptation"]:
        print(f"  adaptation reward (+25): {nip} after {program_id}")
    for program_id, row in sent["effectiveness"].items():
        measured = f"mean rise {row['mean_rise']}" if row["measured"] else "not enough answers"
        print(f"  programme {program_id}: {len(row['people'])} passed in 2026-Q2, {measured}")
    print(f"  settled: {sent['settled']}; {len(sent['errors'])} refused request(s)")
    for refused in sent["errors"]:
        print(f"  ! {refused}")
    for warning in sent["warnings"]:
        print(f"  (sent as CloudEvents instead) {warning}")
    print(f"next: mutu report --period {roster.PERIOD}   (or --html report.html)")


def _print_unit(sent: dict[str, Any]) -> None:
    wanted, found = sent["unit_recommendation"], sent.get("unit_recommendation_found") or {}
    print(
        f"  unit recommendation: {wanted['unit_id']} {wanted['element']} averaged {wanted['nrr']} in "
        f"{wanted['period']} -> {wanted['competency']} for {len(wanted['members'])} active member(s)"
    )
    last = (found.get("history") or [{}])[-1]  # the outcome's evidence is its last step's
    recovered = (last.get("evidence") or {}).get("recovered") or {}
    status = found.get("status", "not seen")
    after = f" ({recovered['period']}: {recovered['nrr']})" if recovered else ""
    print(f"    {found.get('recommendation_id', '?')}: {status}{after}")


def add_to(commands: Any) -> None:
    demo = commands.add_parser(
        "demo", help="simulate a quarter of Kecamatan Candisari on the running services"
    )
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--scale", choices=("small", "full"), default="full")
    demo.add_argument("--concurrency", type=int, default=16)
    add_urls(demo)
    demo.set_defaults(handler=_run)
