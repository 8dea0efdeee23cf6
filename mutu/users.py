"""`mutu users create|list|remove`: the people who may sign in to the portal (Argon2 hashes only)."""

import argparse
import sys
from pathlib import Path
from typing import Any

from shared.settings import ServiceSettings
from shared.web import users


def _file(args: argparse.Namespace) -> users.UserFile:
    path: Path = args.file or ServiceSettings().users_path
    return users.UserFile(path)


def create(args: argparse.Namespace) -> None:
    """Print the password once when it was generated; only its Argon2 hash is kept."""
    given = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    try:
        password = _file(args).create(args.name, args.role, given)
    except ValueError as error:
        sys.exit(str(error))
    if given is None:
        print(password)
    print(f"# {args.role} {args.name} can sign in to the portal", file=sys.stderr)


def listing(args: argparse.Namespace) -> None:
    for user in _file(args).users().values():
        print(f"{user.name:<24} {user.role}")


def remove(args: argparse.Namespace) -> None:
    if not _file(args).remove(args.name):
        sys.exit(f"no user {args.name}")
    print(f"removed {args.name} (signed-in sessions end at their next request)")


def add_to(commands: Any) -> None:
    parser = commands.add_parser("users", help="create, list and remove portal users")
    parser.add_argument("--file", type=Path, help="default: USERS_FILE or VAR_DIR/portal-users.json")
    actions = parser.add_subparsers(dest="action", required=True)
    new = actions.add_parser("create", help="create or reset a user; prints a generated password once")
    new.add_argument("name")
    new.add_argument("--role", choices=users.ROLES, default="manager")
    new.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    new.set_defaults(handler=create)
    actions.add_parser("list", help="list users (never their hashes)").set_defaults(handler=listing)
    drop = actions.add_parser("remove", help="remove a user")
    drop.add_argument("name")
    drop.set_defaults(handler=remove)
