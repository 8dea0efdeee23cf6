"""`mutu rewards reconcile`: recompute every balance from its ledger and report differences."""

import argparse
import asyncio
import sys
from collections import defaultdict
from typing import Any

from mutu import launcher
from services.rewards.model import Account, LedgerEntry
from services.rewards.repository import MongoAccounts, MongoLedgerPages
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates
from shared.persistence.embedded_store import store_url
from shared.persistence.storage import Store


def problems(account: Account, entries: dict[int, LedgerEntry]) -> list[str]:
    """What is wrong with one account given all its entries by seq (empty when it reconciles)."""
    found: list[str] = []
    total = sum(e.points for e in entries.values())
    if total != account.balance:
        found.append(f"balance {account.balance} but ledger sums to {total}")
    missing = sorted(set(range(1, account.seq + 1)) - set(entries))
    if missing or len(entries) != account.seq:
        found.append(f"{account.seq} entries booked but {len(entries)} found (missing seq {missing[:5]})")
    running = 0
    for number in sorted(entries):
        running += entries[number].points
        if running < 0 or running != entries[number].balance_after:
            found.append(f"entry {number}: balance after {entries[number].balance_after}, ledger {running}")
            break
    return found


class _NoRelay:
    """Reconcile only reads: nothing is ever published."""

    async def publish_raw(self, body: bytes, *, routing_key: str, message_id: str) -> None:
        raise NotImplementedError


async def reconcile(url: str, database: str) -> list[dict[str, Any]]:
    """Every account whose balance, entries or running balances do not match its ledger."""
    differences = []
    async with Store(url, database) as store:
        accounts = MongoAccounts(Aggregates(store.collection("accounts"), OutboxRelay(_NoRelay())))
        pages = MongoLedgerPages(store)
        archived: dict[str, dict[int, LedgerEntry]] = defaultdict(dict)
        async for nip, entry in pages.all():
            archived[nip][entry.seq] = entry
        async for account in accounts.all():
            entries = archived.pop(account.nip, {})
            entries.update({e.seq: e for e in account.entries.values()})
            found = problems(account, entries)
            if found:
                differences.append({"nip": account.nip, "problems": found})
        differences += [{"nip": nip, "problems": ["ledger pages without an account"]} for nip in archived]
    return differences


def _run(args: argparse.Namespace) -> None:
    settings = launcher.settings_for("rewards")
    url = store_url("rewards", settings.mongodb_url, settings.var_dir)
    if url is None:
        sys.exit("no store for rewards: set MONGODB_URL (or MONGODB_URL_REWARDS) or start `mutu run`")
    differences = asyncio.run(reconcile(url, f"{settings.mongodb_db_prefix}rewards"))
    for row in differences:
        print(f"account {row['nip']}: {'; '.join(row['problems'])}")
    print(f"reconcile: {len(differences)} difference(s)")
    if differences and not args.report_only:
        sys.exit(1)


def add_to(commands: Any) -> None:
    rewards = commands.add_parser("rewards", help="rewards operator tools")
    sub = rewards.add_subparsers(dest="rewards_command", required=True)
    check = sub.add_parser("reconcile", help="recompute every balance from the ledger and report differences")
    check.add_argument("--report-only", action="store_true", help="exit 0 even when differences are found")
    check.set_defaults(handler=_run)
