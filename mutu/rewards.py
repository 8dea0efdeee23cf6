"""`mutu rewards reconcile`: recompute every balance from its ledger and report differences."""

import argparse
import asyncio
import sys
from typing import Any

from mutu import launcher
from services.rewards import archive
from shared.storage import Store


async def reconcile(url: str, database: str) -> list[dict[str, Any]]:
    """Accounts whose balance is not the sum of their entries (or that went below zero)."""
    differences = []
    async with Store(url, database) as store:
        accounts, pages = store.collection("accounts"), store.collection("ledger_pages")
        async for account in accounts.find({}, {"balance": 1}):
            entries = await archive.all_entries(accounts, pages, account["_id"])
            total = sum(e["points"] for e in entries)
            if total != account.get("balance", 0) or total < 0:
                differences.append(
                    {"nip": account["_id"], "balance": account.get("balance", 0), "ledger_sum": total}
                )
    return differences


def _run(args: argparse.Namespace) -> None:
    settings = launcher.settings_for("rewards")
    url = settings.mongodb_url or (settings.var_dir / launcher.STORE_URL_FILE).read_text().strip()
    differences = asyncio.run(reconcile(url, f"{settings.mongodb_db_prefix}rewards"))
    for row in differences:
        print(f"account {row['nip']}: balance {row['balance']} but ledger sums to {row['ledger_sum']}")
    print(f"reconcile: {len(differences)} difference(s)")
    if differences and not args.report_only:
        sys.exit(1)


def add_to(commands: Any) -> None:
    rewards = commands.add_parser("rewards", help="rewards operator tools")
    sub = rewards.add_subparsers(dest="rewards_command", required=True)
    check = sub.add_parser("reconcile", help="recompute every balance from the ledger and report differences")
    check.add_argument("--report-only", action="store_true", help="exit 0 even when differences are found")
    check.set_defaults(handler=_run)
