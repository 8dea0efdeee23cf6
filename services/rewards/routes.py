"""Rewards HTTP routes: balances and ledgers, the leaderboard, redemptions and adjustments."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from services.rewards import archive, handlers, ledger
from shared import apikeys, web
from shared.fields import Identifier, Nip, Points, Quarter, Text, UnitId


class RedemptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nip: Nip
    points: Points
    item: Text
    idempotency_key: Identifier | None = None


class AdjustmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adjustment_id: Identifier
    points: int = Field(ge=-1_000_000, le=1_000_000)
    reason: Text


def build_routes(*, auth: web.Auth, ledgers: handlers.Ledgers) -> list[APIRouter]:
    router = APIRouter(tags=["rewards"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]
    Integrator = Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "redemptions"))]
    Admin = Annotated[apikeys.ApiKey, Depends(auth.require("admin"))]

    @router.get("/asn/{nip}/points")
    async def points(
        nip: Nip, _: Reader, limit: Annotated[int, Query(ge=1, le=200)] = 50, before: int | None = None
    ) -> dict[str, Any]:
        account = await ledgers.accounts.get(nip) or {}
        entries = await archive.all_entries(ledgers.accounts.collection, ledgers.pages.collection, nip)
        page = [e for e in entries if before is None or e["seq"] < before][:limit]
        more = len(page) == limit and page[-1]["seq"] > 1
        return {
            "nip": nip,
            "balance": account.get("balance", 0),
            "ledger": page,
            "next_before": page[-1]["seq"] if more else None,
        }

    @router.get("/leaderboard")
    async def leaderboard(
        period: Quarter,
        _: Reader,
        unit_id: UnitId | None = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> dict[str, Any]:
        """Points earned in the period; ties: more points first, then NIP order (deterministic)."""
        query: dict[str, Any] = {f"earned.{period}": {"$gt": 0}}
        if unit_id is not None:
            query["unit_id"] = unit_id
        cursor = ledgers.accounts.collection.find(query, {f"earned.{period}": 1, "unit_id": 1})
        rows = [(d["earned"][period], d["_id"], d.get("unit_id")) async for d in cursor]
        rows.sort(key=lambda row: (-row[0], row[1]))
        ranked = [
            {"rank": i + 1, "nip": nip, "unit_id": unit, "points": pts}
            for i, (pts, nip, unit) in enumerate(rows[:limit])
        ]
        return {"period": period, "unit_id": unit_id, "leaders": ranked}

    @router.post("/redemptions", status_code=201, responses={409: {"description": "not enough points"}})
    async def redeem(
        request: RedemptionRequest, _: Integrator, idempotency_key: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        key = idempotency_key or request.idempotency_key
        if not key:
            raise HTTPException(422, "an Idempotency-Key header or idempotency_key field is required")
        try:
            return await handlers.redeem(request.nip, request.points, request.item, key, ledgers=ledgers)
        except ledger.InsufficientPointsError as error:
            raise HTTPException(409, str(error)) from None

    @router.post("/asn/{nip}/adjustments", status_code=201, responses={409: {"description": "below zero"}})
    async def adjustment(nip: Nip, request: AdjustmentRequest, _: Admin) -> dict[str, Any]:
        try:
            return await handlers.adjust(
                nip, request.adjustment_id, request.points, request.reason, ledgers=ledgers
            )
        except ledger.InsufficientPointsError as error:
            raise HTTPException(409, str(error)) from None

    return [router]
