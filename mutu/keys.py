"""`mutu keys create|list|revoke`: API keys in the key file the services read (hashes only)."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shared.settings import ServiceSettings
from shared.web import apikeys


def _key_file(args: argparse.Namespace) -> apikeys.KeyFile:
    path: Path = args.file or ServiceSettings().keys_file
    return apikeys.KeyFile(path)


def create(args: argparse.Namespace) -> None:
    """Print the new token once; it cannot be shown again (only its SHA-256 is stored)."""
    scopes = tuple(args.scope or ()) or (apikeys.ALL_SCOPES,)
    if args.scope and args.role != "integrator":
        sys.exit("--scope applies to integrator keys only")
    try:
        token = _key_file(args).create(args.role, scopes, name=args.name)
    except ValueError as error:
        sys.exit(str(error))
    print(token)
    print(
        f"# {args.role} key {token.split('_')[1]} scopes={','.join(scopes)}: store it now, it is not kept",
        file=sys.stderr,
    )


def listing(args: argparse.Namespace) -> None:
    """Key ids, roles, scopes, names and dates; never a secret or a digest."""
    rows: list[dict[str, Any]] = [
        {
            "key_id": key.key_id,
            "role": key.role,
            "scopes": list(key.scopes),
            "name": key.name,
            "created_at": key.created_at,
            "revoked": key.revoked,
        }
        for key in _key_file(args).keys().values()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        print(
            f"{row['key_id']}  {row['role']:<10} {state:<7} {row['created_at'][:19]}  "
            f"{','.join(row['scopes']):<30} {row['name']}"
        )


def revoke(args: argparse.Namespace) -> None:
    """Mark the key revoked; running services re-read the file and refuse it at once (401)."""
    if not _key_file(args).revoke(args.key_id):
        sys.exit(f"no key {args.key_id}")
    print(f"revoked {args.key_id}")


def add_to(commands: Any) -> None:
    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    keys.add_argument("--file", type=Path, help="key file (default: API_KEYS_FILE or VAR_DIR/api-keys.json)")
    actions = keys.add_subparsers(dest="action", required=True)
    new = actions.add_parser("create", help="create a key and print its token once")
    new.add_argument("--role", choices=apikeys.ROLES, required=True)
    new.add_argument(
        "--scope",
        action="append",
        choices=apikeys.SCOPES,
        help="integrator only, repeatable: an event type it may post, "
        "or xapi/enrolments/groups/redemptions/tickets (default: all)",
    )
    new.add_argument("--name", default="", help="who or what holds the key")
    new.set_defaults(handler=create)
    show = actions.add_parser("list", help="list keys (never their secrets)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=listing)
    drop = actions.add_parser("revoke", help="revoke a key by its id")
    drop.add_argument("key_id")
    drop.set_defaults(handler=revoke)
