"""Rewards HTTP routes: balances and ledgers, the leaderboard, redemptions and adjustments."""

import datetime as dt
from collections.abc import Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from services.rewards import handlers, leaderboard
from services.rewards.model import TOP, InsufficientPointsError, LedgerEntry, board_id
from services.rewards.repository import Accounts, Boards, LedgerPages
from shared import web
from shared.contract.calendar import Calendar
from shared.contract.fields import Count, Identifier, Nip, Points, Quarter, Text, UnitId
from shared.web import apikeys

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


class Points_(BaseModel):  # noqa: N801 - `Points` is the field type
    nip: str
    balance: int
    entries_total: int
    ledger: list[LedgerEntry]
    next_before: int | None


class Leaderboard(BaseModel):
    period: str
    unit_id: str | None
    leaders: list[leaderboard.Leader]


class Redemption(BaseModel):
    redemption_id: str
    ledger_entry_id: str
    nip: str
    points: int
    item: str
    balance_after: int
    at: dt.datetime


class Adjustment(BaseModel):
    adjustment_id: str
    ledger_entry_id: str
    nip: str
    points: int
    reason: str
    balance_after: int
    at: dt.datetime


async def _disclosing(booking: Coroutine[Any, Any, LedgerEntry], key: apikeys.ApiKey) -> LedgerEntry:
    """A refused booking names the balance only to a key that may read balances (personal data)."""
    try:
        return await booking
    except InsufficientPointsError as error:
        shown = f" (balance {error.balance})" if key.allows("reader", None) else ""
        raise HTTPException(409, f"{error}{shown}") from None


def build_routes(
    *, auth: web.Auth, accounts: Accounts, pages: LedgerPages, boards: Boards, calendar: Calendar
) -> list[APIRouter]:
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
    ) -> Points_:
        """Balance and ledger entries newest first; page on with `before=<next_before>`."""
        account, entries = await handlers.history(nip, limit, before, accounts=accounts, pages=pages)
        return Points_(
            nip=nip,
            balance=account.balance,
            entries_total=account.seq,
            ledger=entries,
            next_before=entries[-1].seq if entries and entries[-1].seq > 1 else None,
        )

    @router.get("/leaderboard")
    async def leaderboard_of(
        period: Quarter,
        _: Reader,
        unit_id: UnitId | None = None,
        limit: Annotated[int, Query(ge=1, le=TOP)] = 10,
    ) -> Leaderboard:
        """Points granted in the quarter (Asia/Jakarta); ties: more points first, then NIP order."""
        board = await boards.get(board_id(period, unit_id))
        return Leaderboard(period=period, unit_id=unit_id, leaders=leaderboard.leaders(board, limit))

    @router.post("/redemptions", status_code=201, responses=CONFLICTS)
    async def redeem(
        request: RedemptionRequest, key: Redeemer, idempotency_key: IdempotencyKey = None
    ) -> Redemption:
        """Take points for an item; the same idempotency key answers the same result."""
        idempotency = idempotency_key or request.idempotency_key
        if not idempotency:
            raise HTTPException(422, KEY_REQUIRED)
        redemption = handlers.redeem(
            request.nip,
            request.points,
            request.item,
            idempotency,
            accounts=accounts,
            pages=pages,
            calendar=calendar,
        )
        entry = await _disclosing(redemption, key)
        return Redemption(
            redemption_id=entry.cause,
            ledger_entry_id=entry.entry_id,
            nip=request.nip,
            points=-entry.points,
            item=entry.reason,
            balance_after=entry.balance_after,
            at=entry.at,
        )

    @router.post("/asn/{nip}/adjustments", status_code=201, responses=CONFLICTS)
    async def adjustment(
        nip: Nip, request: AdjustmentRequest, admin: Admin, idempotency_key: IdempotencyKey = None
    ) -> Adjustment:
        """A correction (positive or negative) booked as its own ledger entry, once per id."""
        key = idempotency_key or request.adjustment_id
        if not key:
            raise HTTPException(422, KEY_REQUIRED)
        if request.points == 0:
            raise HTTPException(422, "an adjustment moves at least one point")
        entry = await _disclosing(
            handlers.adjust(
                nip, key, request.points, request.reason, accounts=accounts, pages=pages, calendar=calendar
            ),
            admin,
        )
        return Adjustment(
            adjustment_id=key,
            ledger_entry_id=entry.entry_id,
            nip=nip,
            points=entry.points,
            reason=entry.reason,
            balance_after=entry.balance_after,
            at=entry.at,
        )

    return [router]
