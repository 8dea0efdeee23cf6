"""Command line: `mutu run | serve | store` and the operator tools.

Each tool module has `add_to(commands)`, which adds its sub-command with `handler=` set.
"""

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mutu import asyncapi, dlq, keys, launcher, report, rewards, users
from mutu.demo import command as demo

Commands = Any  # argparse's sub-parsers action has no public type


def _launch_commands(commands: Commands) -> None:
    run = commands.add_parser("run", help="start the embedded store, all four services and the portal")
    run.set_defaults(handler=lambda _: launcher.run())
    serve = commands.add_parser("serve", help="start one service (run more to scale it)")
    serve.add_argument("service", choices=(*launcher.SERVICES, launcher.PORTAL))
    serve.add_argument("--port", type=int)
    serve.set_defaults(handler=lambda a: launcher.serve(a.service, a.port))
    store = commands.add_parser("store", help="run the embedded MongoDB-compatible store")
    store.add_argument("--path", type=Path, default=Path("var/store.sqlite3"))
    store.add_argument("--memory", action="store_true", help="keep data in memory (tests only)")
    store.add_argument("--port", type=int, default=27117)
    store.set_defaults(handler=lambda a: launcher.store(None if a.memory else a.path, a.port))


# One entry per tool module; keep the list sorted.
REGISTRARS: tuple[Callable[[Commands], None], ...] = (
    _launch_commands,
    asyncapi.add_to,
    demo.add_to,
    dlq.add_to,
    keys.add_to,
    report.add_to,
    rewards.add_to,
    users.add_to,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mutu", description="Mutu: the ASN quality programme services.")
    commands = parser.add_subparsers(dest="command", required=True)
    for register in REGISTRARS:
        register(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.handler(args)
