"""Rewards HTTP routes: balances and ledgers, the leaderboard, redemptions and adjustments."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from services.rewards import handlers, leaderboard, ledger
from shared import apikeys, web
from shared.fields import Count, Identifier, Nip, Points, Quarter, Text, UnitId

KEY_REQUIRED = "an Idempotency-Key header or an idempotency key field in the body is required"
CONFLICTS: dict[int | str, dict[str, Any]] = {
    409: {"description": "the balance would go below zero"},
    422: {"description": "invalid body, missing idempotency key, or the key was used for another request"},
}


class RedemptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nip: Nip
    points: Points
    item: Text
    idempotency_key: Identifier | None = None


class AdjustmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adjustment_id: Identifier | None = None
    points: Annotated[Count, Field(ge=-1_000_000, le=1_000_000)]
    reason: Text


async def _answer(call: Any, key: apikeys.ApiKey) -> dict[str, Any]:
    try:
        result: dict[str, Any] = await call
    except ledger.InsufficientPointsError as error:
        # The balance is personal data: only a key that may read balances sees it.
        shown = f" (balance {error.balance})" if key.allows("reader", None) else ""
        raise HTTPException(409, f"{error}{shown}") from None
    except handlers.IdempotencyConflictError as error:
        raise HTTPException(422, str(error)) from None
    return result


def build_routes(*, auth: web.Auth, ledgers: handlers.Ledgers) -> list[APIRouter]:
    router = APIRouter(tags=["rewards"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]
    Redeemer = Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "redemptions"))]
    Admin = Annotated[apikeys.ApiKey, Depends(auth.require("admin"))]
    IdempotencyKey = Annotated[Identifier | None, Header()]

    @router.get("/asn/{nip}/points")
    async def points(
        nip: Nip,
        _: Reader,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        before: Annotated[int | None, Query(ge=1)] = None,
    ) -> dict[str, Any]:
        """Balance and ledger entries newest first; page on with `before=<next_before>`."""
        account, entries = await ledgers.history(nip, limit, before)
        return {
            "nip": nip,
            "balance": account.get("balance", 0),
            "entries_total": account.get("seq", 0),
            "ledger": entries,
            "next_before": entries[-1]["seq"] if entries and entries[-1]["seq"] > 1 else None,
        }

    @router.get("/leaderboard")
    async def leaderboard_of(
        period: Quarter,
        _: Reader,
        unit_id: UnitId | None = None,
        limit: Annotated[int, Query(ge=1, le=leaderboard.TOP)] = 10,
    ) -> dict[str, Any]:
        """Points granted in the quarter (Asia/Jakarta); ties: more points first, then NIP order."""
        board = await ledgers.board(period, unit_id)
        return {"period": period, "unit_id": unit_id, "leaders": leaderboard.leaders(board, limit)}

    @router.post("/redemptions", status_code=201, responses=CONFLICTS)
    async def redeem(
        request: RedemptionRequest, key: Redeemer, idempotency_key: IdempotencyKey = None
    ) -> dict[str, Any]:
        """Take points for an item; the same idempotency key answers the same result."""
        idempotency = idempotency_key or request.idempotency_key
        if not idempotency:
            raise HTTPException(422, KEY_REQUIRED)
        redemption = handlers.redeem(request.nip, request.points, request.item, idempotency, ledgers=ledgers)
        return await _answer(redemption, key)

    @router.post("/asn/{nip}/adjustments", status_code=201, responses=CONFLICTS)
    async def adjustment(
        nip: Nip, request: AdjustmentRequest, admin: Admin, idempotency_key: IdempotencyKey = None
    ) -> dict[str, Any]:
        """A correction (positive or negative) booked as its own ledger entry, once per id."""
        key = idempotency_key or request.adjustment_id
        if not key:
            raise HTTPException(422, KEY_REQUIRED)
        if request.points == 0:
            raise HTTPException(422, "an adjustment moves at least one point")
        booking = handlers.adjust(nip, key, request.points, request.reason, ledgers=ledgers)
        return await _answer(booking, admin)

    return [router]
