"""`make bench` runs, at a small size, on both stores (the figures themselves are not asserted)."""

from pathlib import Path

import pytest

from bench import run

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("store", ["memory", "sqlite"])
async def test_the_bench_runs_at_a_small_size(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = await run.main(
        30, 20, tmp_path, store=store, demo_scale=None, latency_events=10, baseline_count=200
    )
    named = {figure["figure"]: figure for figure in figures}
    assert named["throughput"]["events_per_s"] > 0
    assert named["broker_publishes_per_event_produced"]["value"] == 1
    assert 0 < max(v for k, v in named["largest_document_bytes"].items() if k != "figure") < 256 * 1024
    if store == "sqlite":  # the dashboard's pages, signed in (the default set-up runs the portal)
        assert {"overview", "unit", "programmes", "skm_report"} <= named["page_times"].keys()
    assert list(tmp_path.glob(f"*-{store}.jsonl"))
    capsys.readouterr()  # the bench's table: not a figure of the test suite
