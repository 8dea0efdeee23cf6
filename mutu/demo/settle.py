"""Waiting for the services: are they up, has evaluation counted the quarter, has rewards booked it."""

import asyncio
import time
from typing import Any, Protocol

import httpx

from mutu.demo import roster


class Target(Protocol):
    urls: dict[str, str]
    keys: dict[str, str]


class NotRunningError(RuntimeError):
    """A service does not answer its health probe."""


async def preflight(client: httpx.AsyncClient, target: Target) -> None:
    for service, url in target.urls.items():
        try:
            answer = await client.get(f"{url}/readyz")
        except httpx.TransportError:
            raise NotRunningError(
                f"{service} does not answer at {url}: start the services (`make run`)"
            ) from None
        if answer.status_code != 200:  # noqa: PLR2004
            raise NotRunningError(f"{service} at {url} is not ready: {answer.text[:200]}")


async def evaluation(
    client: httpx.AsyncClient, target: Target, expected: dict[str, Any], patience: float = 120
) -> bool:
    """Wait until evaluation counted every response and every JP, so the quarter-end run is complete."""
    reader = {"Authorization": f"Bearer {target.keys['reader']}"}
    url = target.urls["evaluation"]
    deadline = time.monotonic() + patience
    pending = {nip for nip, jp in expected["jp"].items() if jp}
    while time.monotonic() < deadline:
        units = (await client.get(f"{url}/ikm", params={"period": roster.PERIOD})).json().get("units", [])
        counted = {u["unit_id"]: u["respondents"] for u in units}
        units_ok = all(counted.get(u, 0) >= row["respondents"] for u, row in expected["units"].items())
        for nip in sorted(pending):
            profile = (await client.get(f"{url}/asn/{nip}/profile", headers=reader)).json()
            if profile.get("jp", {}).get(roster.YEAR, {}).get("jp", 0) >= expected["jp"][nip]:
                pending.discard(nip)
        if units_ok and not pending:
            return True
        await asyncio.sleep(0.5)
    return False


async def rewards(
    client: httpx.AsyncClient, target: Target, expected: dict[str, Any], patience: float = 60
) -> bool:
    """Wait until every expected point is booked, so a report right after shows the whole quarter."""
    reader = {"Authorization": f"Bearer {target.keys['reader']}"}
    url = target.urls["rewards"]
    deadline = time.monotonic() + patience
    pending = {nip for nip, points in expected["points"].items() if points}
    while time.monotonic() < deadline:
        for nip in sorted(pending):
            account = (await client.get(f"{url}/asn/{nip}/points", headers=reader)).json()
            if account.get("balance", 0) >= expected["points"][nip]:
                pending.discard(nip)
        if not pending:
            return True
        await asyncio.sleep(0.5)
    return False


def _is_unit_recommendation(row: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return (
        not row.get("nip")
        and row.get("rule_id") == "unit_element_low"
        and row.get("competency") == wanted["competency"]
        and (row.get("evidence") or {}).get("element") == wanted["element"]
        and wanted["period"] in row.get("reason", "")
    )


async def unit_recommendation(
    client: httpx.AsyncClient,
    target: Target,
    wanted: dict[str, Any],
    statuses: frozenset[str],
    patience: float = 120,
) -> dict[str, Any] | None:
    """The unit's recommendation of `wanted["period"]` once in one of `statuses`, held by every member.

    Held: training opened it for each active roster member in `wanted["members"]`; None when that
    does not happen within `patience` seconds.
    """
    reader = {"Authorization": f"Bearer {target.keys['reader']}"}
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        answer = await client.get(
            f"{target.urls['evaluation']}/recommendations",
            params={"unit_id": wanted["unit_id"]},
            headers=reader,
        )
        rows = answer.json().get("recommendations", []) if answer.status_code == 200 else []  # noqa: PLR2004
        found = next((r for r in rows if _is_unit_recommendation(r, wanted)), None)
        if found is not None and found.get("status") in statuses:
            reached = await holders(client, target, found["recommendation_id"], wanted["members"])
            if reached == set(wanted["members"]):
                return dict(found)
        await asyncio.sleep(0.5)
    return None


async def holders(
    client: httpx.AsyncClient, target: Target, recommendation_id: str, nips: list[str]
) -> set[str]:
    """Which of `nips` hold the recommendation on their training record (any status)."""
    reader = {"Authorization": f"Bearer {target.keys['reader']}"}
    held = set()
    for nip in nips:
        answer = await client.get(f"{target.urls['training']}/asn/{nip}/recommendations", headers=reader)
        rows = answer.json().get("recommendations", []) if answer.status_code == 200 else []  # noqa: PLR2004
        if any(r.get("recommendation_id") == recommendation_id for r in rows):
            held.add(nip)
    return held
