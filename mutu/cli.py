"""Command line: `mutu run | serve | store | keys ...`."""

import argparse
from pathlib import Path

from mutu import launcher


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mutu", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the embedded store and all four services")
    serve = commands.add_parser("serve", help="start one service (run more to scale it)")
    serve.add_argument("service", choices=launcher.SERVICES)
    serve.add_argument("--port", type=int)
    store = commands.add_parser("store", help="run the embedded MongoDB-compatible store")
    store.add_argument("--path", type=Path, default=Path("var/store.sqlite3"))
    store.add_argument("--memory", action="store_true", help="keep data in memory (tests only)")
    store.add_argument("--port", type=int, default=27117)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    match args.command:
        case "run":
            launcher.run()
        case "serve":
            launcher.serve(args.service, args.port)
        case "store":
            launcher.store(None if args.memory else args.path, args.port)
