"""The quarter-end burst simulation (bench/burst.py) behaves like a queue: more instances never
make it deeper or slower to drain, arrivals below capacity never queue, and the figures
docs/capacity.md quotes are what it prints."""

from pathlib import Path

from bench import burst

ROOT = Path(__file__).parents[2]


def test_arrivals_below_capacity_never_queue() -> None:
    out = burst.simulate([5.0] * 600, rate=10, instances=1)
    assert (out.peak_depth, out.drain_seconds) == (0, 0)


def test_a_burst_queues_then_drains_at_the_service_rate() -> None:
    out = burst.simulate([0.0] * 10 + [1000.0] + [0.0] * 10, rate=10, instances=2)
    assert out.peak_depth == 980  # 1,000 arrive, 20 leave in that second
    assert out.drain_seconds == 49  # 980 at 20/s


def test_more_instances_never_queue_deeper_or_drain_slower() -> None:
    arrivals = burst.PROVINCE.arrivals()
    outcomes = [burst.simulate(arrivals, rate=burst.MEASURED_RATE, instances=n) for n in burst.INSTANCES]
    depths = [o.peak_depth for o in outcomes]
    drains = [o.drain_seconds for o in outcomes]
    assert depths == sorted(depths, reverse=True)
    assert all(d is not None for d in drains)
    assert drains == sorted(drains, reverse=True)  # type: ignore[type-var]


def test_the_broker_caps_what_instances_add() -> None:
    capped = burst.simulate([20_000.0] * 5, rate=1_000, instances=10, cap=burst.QUEUE_CAP)
    assert capped.peak_depth == 5 * (20_000 - int(burst.QUEUE_CAP))


def test_capacity_doc_quotes_the_simulation() -> None:
    doc = (ROOT / "docs/capacity.md").read_text()
    for line in burst.table(burst.SCALES, rate=burst.MEASURED_RATE)[2:]:
        assert line in doc
