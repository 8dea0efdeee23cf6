"""`make bench`: every figure of the performance issue, as JSON lines plus a table with targets.

Usage: python -m bench.run [--events N] [--responses N] [--store memory|sqlite] [--people N] [--out DIR]

`--store sqlite` is the default set-up (`make run`): SQLite store files, the demo loaded first
(`mutu demo`, timed), then the pipeline; `--store memory` (the default) adds the FastStream
baseline, latencies and read times.
"""

import argparse
import asyncio
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import baseline, pages, pipeline, reads, stack
from mutu.demo import command as demo
from tests import infra

TARGETS = {
    "throughput (memory, 10,000 events)": ">= 60 events/s, and >= 0.8 x the rate at 1,000",
    "throughput (sqlite, demo loaded, 2,000 events)": ">= 30 events/s",
    "store_round_trips_per_event_per_service": "<= 2",
    "broker_publishes_per_event_produced": "== 1",
    "cpu_s_per_1000_events": "<= 7",
    "latency_p99_ms": "<= 250",
    "peak_rss_mb": "<= 200 each",
    "read_growth": "<= 1.5x",
    "largest_document_bytes": "< 256 KB",
    "demo_seconds (sqlite, full)": "<= 45",
    "page_times (sqlite, demo loaded)": f"<= {pages.TARGET_MS} ms each",
}


async def main(
    events: int,
    responses: int,
    out: Path,
    *,
    store: str = "memory",
    demo_scale: str | None = "full",
    latency_events: int = len(pipeline.ROSTER),
    baseline_count: int | None = None,
    people: int = len(pipeline.ROSTER),
) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []

    def record(name: str, **values: Any) -> None:
        line = {"figure": name, **values}
        figures.append(line)
        print(json.dumps(line), flush=True)

    memory = store == "memory"
    base: dict[str, float] | None = None
    if memory:
        with infra.vhost() as amqp_url:
            base = await baseline.measure(amqp_url, count=baseline_count or max(events, 5000))
        record("baseline_faststream", **base)

    with tempfile.TemporaryDirectory() as tmp, stack.running(Path(tmp), memory=memory) as running:
        services, keys, amqp_url = running
        if not memory:
            nip = None
            if demo_scale is not None:
                loaded = await load_demo(services, keys, demo_scale)
                nip = loaded.pop("nip")
                record("demo", **loaded)
            record("page_times", **await pages.page_times(services, Path(tmp), nip))
        before, cpu_before = stack.scrape(services), stack.cpu_by_service(services)
        flow = await pipeline.throughput(services, keys, amqp_url, events, people=people)
        after, cpu_after = stack.scrape(services), stack.cpu_by_service(services)
        ratio = {"ratio_to_baseline": flow["events_per_s"] / base["messages_per_s"]} if base else {}
        record("throughput", store=store, people=people, **flow, **ratio)
        record_costs(record, before, after, flow, events)
        cpu = {name: (cpu_after[name] - cpu_before[name]) / events * 1000 for name in cpu_after}
        record("cpu_s_per_1000_events", value=sum(cpu.values()), per_service=cpu)
        if memory:
            for roster in (True, False):
                half = flow["events_per_s"] / 2
                lat = await pipeline.latency(
                    services, keys, amqp_url, rate=half, roster=roster, count=latency_events
                )
                record("latency" if roster else "latency_new_people", **lat)
            for row in await reads.read_times(services, keys, sizes=(min(100, responses), responses)):
                record("read_times", **row)
        record("largest_document_bytes", **stack.largest_documents(services))
        record("peak_rss_mb", **stack.peak_rss_mb(services))

    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{store}.jsonl"
    path.write_text("".join(json.dumps(f) + "\n" for f in figures))
    print_table(figures)
    print(f"\nwritten to {path}")
    return figures


async def load_demo(services: infra.Stack, keys: infra.Keys, scale: str) -> dict[str, Any]:
    """`mutu demo` against the bench's stack, timed until its effects settled."""
    target = demo.Target(
        dict(services.urls), {"integrator": keys.integrator, "reader": keys.reader, "admin": keys.admin}
    )
    start = time.perf_counter()
    summary = await demo.simulate(target, seed=2026, scale=scale, quiet=True)
    seconds = time.perf_counter() - start
    # the busiest person (most points) for the person page
    nip = max(summary["points"], key=summary["points"].get, default=None)
    return {"scale": scale, "seconds": seconds, "settled": summary["settled"], "nip": nip}


def record_costs(
    record: Any, before: dict[str, str], after: dict[str, str], flow: dict[str, float], events: int
) -> None:
    """Store round trips per event per consuming service, and broker publishes per event produced."""

    def delta(name: str, metric: str, exclude: tuple[str, ...] = ()) -> float:
        return stack.metric_sum(after[name], metric, exclude) - stack.metric_sum(
            before[name], metric, exclude
        )

    consumers = ("training", "evaluation", "rewards")
    trips = {n: delta(n, "mutu_store_commands_total", ("ping", "endSessions")) / events for n in consumers}
    record("store_round_trips_per_event", **trips)
    published = sum(delta(n, "mutu_events_published_total") for n in after)
    per_service = {n: delta(n, "mutu_events_published_total") / events for n in consumers}
    record(
        "broker_publishes_per_event_produced", value=published / flow["events_produced"], per_post=per_service
    )


def print_table(figures: list[dict[str, Any]]) -> None:
    print("\n| figure | value |\n|---|---|")
    for figure in figures:
        values = ", ".join(
            f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in figure.items() if k != "figure"
        )
        print(f"| {figure['figure']} | {values} |")
    print("\nTargets: " + "; ".join(f"{k} {v}" for k, v in TARGETS.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=None, help="10,000 (memory) or 2,000 (sqlite)")
    parser.add_argument("--responses", type=int, default=10000)
    parser.add_argument("--store", choices=("memory", "sqlite"), default="memory")
    parser.add_argument(
        "--demo", choices=("small", "full"), default="full", help="demo loaded first (sqlite)"
    )
    parser.add_argument(
        "--people",
        type=int,
        default=len(pipeline.ROSTER),
        choices=range(1, len(pipeline.ROSTER) + 1),
        metavar="1-300",
        help="roster size of the throughput run: --events 1000 --people 30 gives each person the history"
        " 10,000 events give 300 (33 trainings), in a fraction of the time",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    count = args.events or (10000 if args.store == "memory" else 2000)  # peak RSS is asked after 10,000
    asyncio.run(
        main(count, args.responses, args.out, store=args.store, demo_scale=args.demo, people=args.people)
    )
