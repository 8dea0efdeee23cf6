"""Rewards HTTP routes: a person's balance and ledger."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from shared import apikeys, web
from shared.aggregates import Aggregates
from shared.fields import Nip


def build_routes(*, auth: web.Auth, accounts: Aggregates) -> list[APIRouter]:
    router = APIRouter(tags=["rewards"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]

    @router.get("/asn/{nip}/points")
    async def points(nip: Nip, _: Reader) -> dict[str, Any]:
        doc = await accounts.get(nip) or {}
        entries = sorted(doc.get("entries", {}).values(), key=lambda e: e["seq"], reverse=True)
        return {"nip": nip, "balance": doc.get("balance", 0), "ledger": entries}

    return [router]
