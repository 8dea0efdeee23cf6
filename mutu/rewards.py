"""`mutu rewards reconcile`: recompute every balance from its ledger and report differences."""

import argparse
import asyncio
import sys
from collections import defaultdict
from typing import Any

from mutu import launcher
from shared.storage import Document, Store


def problems(account: Document, entries: dict[int, dict[str, Any]]) -> list[str]:
    """What is wrong with one account given all its entries by seq (empty when it reconciles)."""
    found: list[str] = []
    balance, seq = int(account.get("balance", 0)), int(account.get("seq", 0))
    total = sum(int(e["points"]) for e in entries.values())
    if total != balance:
        found.append(f"balance {balance} but ledger sums to {total}")
    missing = sorted(set(range(1, seq + 1)) - set(entries))
    if missing or len(entries) != seq:
        found.append(f"{seq} entries booked but {len(entries)} found (missing seq {missing[:5]})")
    running = 0
    for number in sorted(entries):
        running += int(entries[number]["points"])
        if running < 0 or running != int(entries[number]["balance_after"]):
            found.append(
                f"entry {number}: balance after {entries[number]['balance_after']}, ledger {running}"
            )
            break
    return found


async def reconcile(url: str, database: str) -> list[dict[str, Any]]:
    """Every account whose balance, entries or running balances do not match its ledger."""
    differences = []
    async with Store(url, database) as store:
        archived: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        async for page in store.collection("ledger_pages").find({}, {"nip": 1, "entries": 1}):
            for entry in (page.get("entries") or {}).values():
                archived[page["nip"]][int(entry["seq"])] = entry
        fields = {"balance": 1, "seq": 1, "entries": 1}
        async for account in store.collection("accounts").find({}, fields):
            entries = archived.pop(account["_id"], {})
            entries.update({int(e["seq"]): e for e in (account.get("entries") or {}).values()})
            found = problems(account, entries)
            if found:
                differences.append({"nip": account["_id"], "problems": found})
        differences += [{"nip": nip, "problems": ["ledger pages without an account"]} for nip in archived]
    return differences


def _run(args: argparse.Namespace) -> None:
    settings = launcher.settings_for("rewards")
    url = settings.mongodb_url or (settings.var_dir / launcher.STORE_URL_FILE).read_text().strip()
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
