"""The portal's reader of the services' HTTP APIs: one call, its JSON or a notice saying what is down."""

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

logger = logging.getLogger(__name__)
NAMES = {"training": "pelatihan", "survey": "survei", "evaluation": "evaluasi", "rewards": "penghargaan"}


@dataclass
class Fetched:
    """What one call gave: `data` (JSON) or None, and a notice when the service did not answer."""

    data: Any = None
    notice: str | None = None

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default) if isinstance(self.data, dict) else default


@dataclass
class Services:
    """HTTP reads with the portal's reader key; never raises for a service that is down."""

    urls: dict[str, str]
    token: str
    timeout: float = 5.0
    public_survey_url: str = ""  # where citizens reach the survey form (links, QR codes)
    client: httpx.AsyncClient = field(init=False)

    def __post_init__(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.client = httpx.AsyncClient(timeout=self.timeout, headers=headers)

    async def get(self, service: str, path: str, **params: Any) -> Fetched:
        shown = NAMES.get(service, service)
        query = {k: v for k, v in params.items() if v is not None}
        try:
            answer = await self.client.get(self.urls[service] + path, params=query)
        except httpx.HTTPError as error:
            logger.warning("%s unreachable: %s %s", service, path, type(error).__name__)
            return Fetched(notice=f"Layanan {shown} tidak dapat dihubungi; data ini belum bisa ditampilkan.")
        if answer.status_code == 404:  # noqa: PLR2004
            return Fetched(notice=f"Layanan {shown} tidak mengenal data ini.")
        if answer.status_code == 422:  # noqa: PLR2004
            return Fetched(notice=f"Layanan {shown} menolak permintaan ini (periode atau kode tidak valid).")
        if answer.status_code in {401, 403}:
            return Fetched(notice=f"Kunci pembaca portal ditolak oleh layanan {shown}: periksa READER_KEY.")
        if answer.status_code >= 400:  # noqa: PLR2004
            return Fetched(notice=f"Layanan {shown} sedang bermasalah (HTTP {answer.status_code}).")
        return Fetched(answer.json())

    async def many(self, *calls: tuple[str, str, dict[str, Any]]) -> list[Fetched]:
        """Several reads at once (so a page costs the slowest call, not their sum)."""
        return list(await asyncio.gather(*(self.get(s, p, **q) for s, p, q in calls)))

    async def aclose(self) -> None:
        await self.client.aclose()
