"""`mutu roster import FILE.csv`: put an HR export on the training roster, one `PUT /asn/{nip}` a row.

Columns: nip,unit_id,employee_type,name,active (a header row; `name` may be empty; `active` is
true/false, 1/0 or yes/no). Each row is sent with an admin key (MUTU_ADMIN_KEY, else the dev key
`make run` wrote); rows already on the roster as written change nothing. Every refused row is
reported with its line and the reason; the exit status is 1 when any row failed.
"""

import argparse
import csv
import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from shared.contract.fields import check_nip

COLUMNS = ("nip", "unit_id", "employee_type", "name", "active")
TRUE, FALSE = {"true", "1", "yes", "y", "ya"}, {"false", "0", "no", "n", "tidak"}
DEFAULT_URL = "http://127.0.0.1:8001"
_NIP_SEPARATORS = re.compile(r"[ .]")  # NIPs are often printed as `19860926 201505 1 001`


@dataclass(frozen=True)
class RowResult:
    line: int
    nip: str
    error: str | None = None


def body_of(row: dict[str, str]) -> dict[str, Any]:
    """The PUT body of a CSV row; ValueError names what is wrong with it."""
    active = (row.get("active") or "").strip().lower()
    if active not in TRUE | FALSE:
        msg = f"active must be true or false, not {row.get('active')!r}"
        raise ValueError(msg)
    body: dict[str, Any] = {
        "unit_id": (row.get("unit_id") or "").strip(),
        "employee_type": (row.get("employee_type") or "").strip().upper(),
        "active": active in TRUE,
    }
    name = (row.get("name") or "").strip()
    if name:
        body["name"] = name
    return body


def _reason(answer: httpx.Response) -> str:
    try:
        detail = answer.json().get("detail")
    except ValueError:
        return f"HTTP {answer.status_code}"
    if isinstance(detail, list):
        parts = [f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg')}" for d in detail]
        return f"HTTP {answer.status_code} " + "; ".join(parts)
    return f"HTTP {answer.status_code} {detail}"


def import_rows(
    rows: Iterable[dict[str, str]], *, client: httpx.Client, url: str, key: str
) -> list[RowResult]:
    """PUT each row (the header is line 1, so rows start at line 2); one result per row.

    The NIP is checked here (spaces and dots removed), so nothing but a NIP reaches the URL; a NIP
    on an earlier row is refused when the rows disagree (which one HR meant is not ours to guess).
    """
    results = []
    seen: dict[str, tuple[int, dict[str, Any]]] = {}
    for line, row in enumerate(rows, start=2):
        nip = _NIP_SEPARATORS.sub("", row.get("nip") or "")
        try:
            check_nip(nip)
            body = body_of(row)
        except ValueError as error:
            results.append(RowResult(line, nip, str(error)))
            continue
        if nip in seen:
            first, kept = seen[nip]
            results.append(RowResult(line, nip, None if kept == body else f"contradicts line {first}"))
            continue
        seen[nip] = (line, body)
        try:
            answer = client.put(f"{url}/asn/{nip}", json=body, headers={"Authorization": f"Bearer {key}"})
        except httpx.HTTPError as error:
            results.append(RowResult(line, nip, f"training not reachable: {error}"))
            continue
        refused = None if answer.status_code == httpx.codes.OK else _reason(answer)
        results.append(RowResult(line, nip, refused))
    return results


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of the file; ValueError when the header lacks a column."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            msg = f"{path}: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"
            raise ValueError(msg)
        try:
            return list(reader)
        except csv.Error as error:  # e.g. a field over the csv module's limit
            msg = f"{path}: line {reader.line_num + 1}: {error}"  # the failing line is not counted yet
            raise ValueError(msg) from None


def admin_key(var_dir: Path) -> str:
    key = os.environ.get("MUTU_ADMIN_KEY", "")
    path = var_dir / "dev-keys.json"
    if not key and path.exists():
        key = str(json.loads(path.read_text()).get("admin", ""))
    if not key:
        sys.exit(f"roster: no admin key: set MUTU_ADMIN_KEY or start `make run` (writes {path})")
    return key


def _import(args: argparse.Namespace) -> None:
    try:
        rows = read_csv(args.file)
    except (OSError, ValueError) as error:
        sys.exit(f"roster: {error}")
    key = admin_key(Path(os.environ.get("VAR_DIR", "var")))
    url = (args.base_url_training or DEFAULT_URL).rstrip("/")
    with httpx.Client(timeout=30) as client:
        results = import_rows(rows, client=client, url=url, key=key)
    failed = [r for r in results if r.error is not None]
    for result in failed:
        print(f"line {result.line} nip {result.nip or '(empty)'}: {result.error}")
    print(f"roster import: {len(results) - len(failed)} row(s) on the roster, {len(failed)} refused")
    if failed:
        sys.exit(1)


def add_to(commands: Any) -> None:
    roster = commands.add_parser("roster", help="training roster tools")
    sub = roster.add_subparsers(dest="roster_command", required=True)
    load = sub.add_parser(
        "import", help="PUT each row of an HR export (nip,unit_id,employee_type,name,active)"
    )
    load.add_argument("file", type=Path)
    load.add_argument("--base-url-training", help=f"default {DEFAULT_URL}")
    load.set_defaults(handler=_import)
