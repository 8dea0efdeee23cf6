"""Dashboard page times: each portal page, signed in, on the data the bench's stack holds (the demo).

The portal reads the services over HTTP, so a page costs its slowest read plus rendering; the
issue's target is 300 ms per page on the demo's data.
"""

import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from mutu import launcher
from mutu.demo import roster
from tests import infra, pages

TARGET_MS = 300


async def signed_in(client: httpx.AsyncClient) -> None:
    page = (await client.get("/login")).text
    token = page.split('name="csrf" value="')[1].split('"')[0]
    answer = await client.post(
        "/login", data={"csrf": token, "username": pages.MANAGER[0], "password": pages.MANAGER[1]}
    )
    answer.raise_for_status()


def paths(stack: infra.Stack, nip: str | None) -> dict[str, str]:
    unit = next(iter(roster.UNITS))
    found = {
        "overview": "/",
        "unit": f"/units/{unit}?period={roster.PERIOD}",
        "programmes": "/programmes",
        "skm_report": f"/units/{unit}/report?period={roster.PERIOD}",
    }
    if nip:
        found["person"] = f"/asn/{nip}"
    return found


async def page_times(stack: infra.Stack, var_dir: Path, nip: str | None, repeat: int = 15) -> dict[str, Any]:
    """Median and worst time per page (ms), after one warm-up request each."""
    process, url = pages.start_portal(stack.env, stack.urls, var_dir)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30, follow_redirects=True) as client:
            await signed_in(client)
            times: dict[str, Any] = {}
            for name, path in paths(stack, nip).items():
                (await client.get(path)).raise_for_status()
                samples = []
                for _ in range(repeat):
                    start = time.perf_counter()
                    (await client.get(path)).raise_for_status()
                    samples.append((time.perf_counter() - start) * 1000)
                times[name] = {"median_ms": statistics.median(samples), "max_ms": max(samples)}
            return times
    finally:
        launcher._terminate([process])  # noqa: SLF001 - the launcher's own stop, shared with the tests
