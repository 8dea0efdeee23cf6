"""Quarter-end burst through the evaluation queues: depth and drain time with 1, 3 and 10 instances.

A fluid model, second by second: arrivals (from docs/capacity.md's assumptions) join the queue,
`instances x rate` leave it, capped by what one quorum queue on the broker takes. The rates are
measured ones (bench/README.md): 18 events/s per instance end to end on the embedded store, and
a projection of ~70 events/s per instance on MongoDB (13.7 CPU s per 1,000 events, one core per
instance). `python -m bench.burst` prints the table that docs/capacity.md quotes.
"""

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass

MEASURED_RATE = 18.0  # events/s per instance, embedded store (bench/README.md, make bench)
MONGODB_RATE = 70.0  # events/s per instance, CPU-bound projection for real MongoDB
QUEUE_CAP = 8700.0  # persistent confirmed publishes/s one RabbitMQ node took here (TECH-NOTES)
INSTANCES = (1, 3, 10)
WORKDAY = 8 * 3600  # seconds, 08:00-16:00
BATCH_AT, BATCH_SECONDS = 6 * 3600, 60  # the LMS sync at 14:00 posts its batch within a minute
# Share of the peak day's arrivals in each working hour (08:00-16:00), rising to the deadline.
HOURLY_SHAPE = (0.05, 0.08, 0.10, 0.12, 0.10, 0.15, 0.20, 0.20)


@dataclass(frozen=True)
class Scale:
    """The peak day at quarter end for one area: inputs and the events they put on the queues."""

    name: str
    trainings: int  # TrainingCompleted that day
    appraisals: int  # PerformanceAppraised that day
    answers: int  # SurveySubmitted that day
    batch: int  # of the trainings, posted at once by an LMS sync at 14:00

    def arrivals(self) -> list[float]:
        """Events reaching evaluation's queues in each second of the working day."""
        spread = self.trainings - self.batch + self.appraisals + self.answers
        per_second = [spread * HOURLY_SHAPE[s // 3600] / 3600 for s in range(WORKDAY)]
        for s in range(BATCH_AT, BATCH_AT + BATCH_SECONDS):
            per_second[s] += self.batch / BATCH_SECONDS
        return per_second


# Peak days (docs/capacity.md): half of a quarter's appraisals and a fifth of its trainings land
# on the last working day; answers are a quarter's K&M samples spread over ~60 working days.
KECAMATAN = Scale("kecamatan", trainings=150, appraisals=150, answers=170, batch=50)
CITY = Scale("city", trainings=7_500, appraisals=7_500, answers=5_000, batch=2_500)
PROVINCE = Scale("province", trainings=150_000, appraisals=150_000, answers=100_000, batch=50_000)
SCALES = (KECAMATAN, CITY, PROVINCE)


@dataclass(frozen=True)
class Outcome:
    instances: int
    peak_depth: int
    peak_second: int  # seconds after 08:00
    drain_seconds: int | None  # from the peak until the queue is empty; None: not by midnight

    @property
    def peak_time(self) -> str:
        minutes = self.peak_second // 60
        return f"{8 + minutes // 60:02d}:{minutes % 60:02d}"


def simulate(arrivals: Sequence[float], *, rate: float, instances: int, cap: float = QUEUE_CAP) -> Outcome:
    """Queue depth second by second until midnight (16 h after 08:00)."""
    capacity = min(rate * instances, cap)
    depth, peak, peak_second, drained = 0.0, 0.0, 0, None
    for second in range(16 * 3600):
        depth = max(0.0, depth + (arrivals[second] if second < len(arrivals) else 0.0) - capacity)
        if depth > peak:
            peak, peak_second, drained = depth, second, None
        elif depth == 0 and drained is None and peak > 0:
            drained = second
    drain = None if drained is None else drained - peak_second
    return Outcome(instances, math.ceil(peak), peak_second, 0 if peak == 0 else drain)


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "not by midnight"
    return f"{seconds} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def table(scales: Sequence[Scale], *, rate: float) -> list[str]:
    lines = [
        f"{rate:g} events/s per instance:",
        "",
        "| scale | events that day | instances | peak depth | at | drained in |",
        "|---|---|---|---|---|---|",
    ]
    for scale in scales:
        arrivals = scale.arrivals()
        for n in INSTANCES:
            out = simulate(arrivals, rate=rate, instances=n)
            lines.append(
                f"| {scale.name} | {sum(arrivals):,.0f} | {n} | {out.peak_depth:,} | "
                f"{out.peak_time if out.peak_depth else '-'} | {duration(out.drain_seconds)} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, action="append", help="events/s per instance (repeatable)")
    args = parser.parse_args()
    for rate in args.rate or [MEASURED_RATE, MONGODB_RATE]:
        print("\n".join(table(SCALES, rate=rate)), end="\n\n")


if __name__ == "__main__":
    main()
