"""`make bench`: every figure of the performance issue, as JSON lines plus a table with targets.

Usage: python -m bench.run [--events N] [--responses N] [--out DIR]
"""

import argparse
import asyncio
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from bench import baseline, pipeline, reads, stack
from tests import infra

TARGETS = {
    "throughput_ratio": ">= 0.25",
    "store_round_trips_per_event_per_service": "<= 2",
    "broker_publishes_per_event_produced": "== 1",
    "latency_p99_ms": "<= 250",
    "peak_rss_mb": "<= 200 each",
    "read_growth": "<= 1.5x",
}


async def main(events: int, responses: int, out: Path) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []

    def record(name: str, **values: Any) -> None:
        line = {"figure": name, **values}
        figures.append(line)
        print(json.dumps(line), flush=True)

    with infra.vhost() as amqp_url:
        base = await baseline.measure(amqp_url, count=max(events, 5000))
    record("baseline_faststream", **base)

    with tempfile.TemporaryDirectory() as tmp, stack.running(Path(tmp)) as (services, keys, amqp_url):
        before, cpu_before = stack.scrape(services), stack.cpu_seconds(services)
        flow = await pipeline.throughput(services, keys, amqp_url, events)
        after, cpu_after = stack.scrape(services), stack.cpu_seconds(services)
        record("throughput", **flow, ratio_to_baseline=flow["events_per_s"] / base["messages_per_s"])
        trips = {
            name: (
                stack.metric_sum(after[name], "mutu_store_commands_total", ("ping", "endSessions"))
                - stack.metric_sum(before[name], "mutu_store_commands_total", ("ping", "endSessions"))
            )
            / events
            for name in ("training", "evaluation", "rewards")
        }
        record("store_round_trips_per_event", **trips)
        published = sum(
            stack.metric_sum(after[n], "mutu_events_published_total")
            - stack.metric_sum(before[n], "mutu_events_published_total")
            for n in after
        )
        per_service = {
            n: (
                stack.metric_sum(after[n], "mutu_events_published_total")
                - stack.metric_sum(before[n], "mutu_events_published_total")
            )
            / events
            for n in ("training", "evaluation", "rewards")
        }
        record(
            "broker_publishes_per_event_produced",
            value=published / flow["events_produced"],
            per_post=per_service,
        )
        cpu = (cpu_after - cpu_before) / events * 1000
        record("cpu_s_per_1000_events", value=cpu, ratio_to_baseline=cpu / base["cpu_s_per_1000"])
        for roster in (True, False):
            half = flow["events_per_s"] / 2
            lat = await pipeline.latency(services, keys, amqp_url, rate=half, roster=roster)
            record("latency" if roster else "latency_new_people", **lat)
        for row in await reads.read_times(services, keys, sizes=(100, responses)):
            record("read_times", **row)
        record("peak_rss_mb", **stack.peak_rss_mb(services))

    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.jsonl"
    path.write_text("".join(json.dumps(f) + "\n" for f in figures))
    print_table(figures)
    print(f"\nwritten to {path}")
    return figures


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
    parser.add_argument("--events", type=int, default=10000)  # peak RSS is asked after 10,000
    parser.add_argument("--responses", type=int, default=10000)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    asyncio.run(main(args.events, args.responses, args.out))
