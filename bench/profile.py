"""Where the CPU goes: py-spy on every service and store process during a throughput run.

Usage: python -m bench.profile [--events N] [--store memory|sqlite] [--rate HZ] [--out DIR]

Starts the bench's stack, records each process with `py-spy record --format raw` while
`pipeline.throughput` runs, then prints per process the functions with the most samples, by own
time (the innermost frame) and inclusive of what they call, Mutu's own code marked. The raw
collapsed stacks stay in `--out` (`<process>.txt`) for a flame graph (`py-spy`'s SVG or any
`flamegraph.pl`). py-spy needs ptrace (root, or `kernel.yama.ptrace_scope=0`).
"""

import argparse
import asyncio
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

from bench import pipeline, stack
from tests import infra

OURS = ("shared/", "services/", "mutu/")


def store_pids(services: infra.Stack) -> dict[str, int]:
    """The embedded store process serving each service (found by the port in its URL)."""
    found = {}
    for name in services.processes:
        port = int(services.store_url(name).split(":")[2].split("/")[0])
        for process in psutil.process_iter(["cmdline"]):
            cmdline = process.info["cmdline"] or []
            if "store" not in cmdline:
                continue
            try:
                ports = {c.laddr.port for c in process.net_connections("tcp") if c.status == "LISTEN"}
            except psutil.Error:
                continue
            if port in ports:
                found[f"store-{name}"] = process.pid
    return found


def record(pids: dict[str, int], out: Path, rate: int) -> dict[str, subprocess.Popen[bytes]]:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return {
        name: subprocess.Popen(
            [
                spy,
                "record",
                "--nonblocking",
                "-r",
                str(rate),
                "-f",
                "raw",
                "-o",
                str(out / f"{name}.txt"),
                "-p",
                str(pid),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    }


def summary(path: Path, top: int = 25) -> str:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stacks, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        frames = stacks.split(";")
        total += samples
        own[_short(frames[-1])] += samples
        for frame in {_short(f) for f in frames}:
            inclusive[frame] += samples
    if not total:
        return f"{path.stem}: no samples\n"
    lines = [f"== {path.stem}: {total} samples", "-- own"]
    lines += [f"{n / total:6.1%} {f}" for f, n in own.most_common(top)]
    lines += ["-- inclusive (ours)"]
    ours = [(f, n) for f, n in inclusive.most_common() if any(f"({o}" in f for o in OURS)]
    lines += [f"{n / total:6.1%} {f}" for f, n in ours[:top]]
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    """`function (path:line)` without the line and with the path cut to its package."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "/wt-perf20/", "/lib/python3.13/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


def _round_trips(before: dict[str, str], after: dict[str, str], events: int) -> dict[str, float]:
    metric, skip = "mutu_store_commands_total", ("ping", "endSessions")
    return {
        name: round(
            (stack.metric_sum(after[name], metric, skip) - stack.metric_sum(before[name], metric, skip))
            / events,
            2,
        )
        for name in after
    }


async def main(events: int, store: str, rate: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, stack.running(Path(tmp), memory=store == "memory") as running:
        services, keys, amqp_url = running
        pids = {name: group[0].pid for name, group in services.processes.items()} | store_pids(services)
        cpu_before, scraped = stack.cpu_by_service(services), stack.scrape(services)
        spies = record(pids, out, rate) if rate else {}
        await asyncio.sleep(1)
        flow = await pipeline.throughput(services, keys, amqp_url, events)
        cpu_after, trips = (
            stack.cpu_by_service(services),
            _round_trips(scraped, stack.scrape(services), events),
        )
        for spy in spies.values():
            spy.send_signal(signal.SIGINT)
        for spy in spies.values():
            spy.wait(timeout=60)
    cpu = {name: round((cpu_after[name] - cpu_before[name]) / events * 1000, 2) for name in cpu_after}
    print(f"events/s {flow['events_per_s']:.1f}, CPU s per 1,000 events {sum(cpu.values()):.2f} {cpu}")
    print(f"store round trips per event {trips}")
    print(f"load average {os.getloadavg()}")
    for name in spies:
        print(summary(out / f"{name}.txt"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--store", choices=("memory", "sqlite"), default="memory")
    parser.add_argument(
        "--rate", type=int, default=100, help="samples per second (0: no py-spy, figures only)"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results/profile"))
    args = parser.parse_args()
    asyncio.run(main(args.events, args.store, args.rate, args.out))
