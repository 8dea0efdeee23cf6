"""Read times of GET /units/{unit_id}/ikm and GET /asn/{nip}/profile as stored responses grow."""

import asyncio
import statistics
import time

import httpx

from shared.contract import envelope
from tests import infra
from tests.builders import a_survey_submitted, random_id, random_nip, structured

UNIT = "kel-jomblang"
PERIOD = "2026-Q4"


async def fill(stack: infra.Stack, keys: infra.Keys, count: int, nip: str) -> None:
    """Post `count` SurveySubmitted for UNIT naming `nip`, then wait until evaluation counted them."""
    gate = asyncio.Semaphore(32)
    headers = {"Authorization": f"Bearer {keys.integrator}", "Content-Type": envelope.CONTENT_TYPE}
    async with httpx.AsyncClient(timeout=60) as client:

        async def post() -> None:
            body = structured(
                a_survey_submitted(unit_id=UNIT, period=PERIOD, served_by_nip=nip), event_id=random_id()
            )
            async with gate:
                (
                    await client.post(f"{stack.urls['survey']}/events", json=body, headers=headers)
                ).raise_for_status()

        await asyncio.gather(*(post() for _ in range(count)))


async def respondents(client: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys) -> int:
    answer = await client.get(
        f"{stack.urls['evaluation']}/units/{UNIT}/ikm",
        params={"period": PERIOD},
        headers={"Authorization": f"Bearer {keys.reader}"},
    )
    return int(answer.json().get("respondents", 0)) if answer.status_code == 200 else 0


async def timed(client: httpx.AsyncClient, url: str, headers: dict[str, str], repeat: int = 30) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        (await client.get(url, headers=headers)).raise_for_status()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def read_times(stack: infra.Stack, keys: infra.Keys, sizes: tuple[int, ...]) -> list[dict[str, float]]:
    nip = random_nip()
    headers = {"Authorization": f"Bearer {keys.reader}"}
    results, stored = [], 0
    async with httpx.AsyncClient(timeout=60) as client:
        for size in sizes:
            await fill(stack, keys, size - stored, nip)
            stored = size

            async def counted(target: int = size) -> bool:
                return await respondents(client, stack, keys) >= target

            await infra.eventually(counted, timeout=max(60, size / 10))
            ikm = await timed(client, f"{stack.urls['evaluation']}/units/{UNIT}/ikm?period={PERIOD}", headers)
            profile = await timed(client, f"{stack.urls['evaluation']}/asn/{nip}/profile", headers)
            results.append({"responses": size, "ikm_ms": ikm, "profile_ms": profile})
    return results
