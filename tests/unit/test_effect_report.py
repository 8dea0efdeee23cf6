"""The report's effectiveness section: text per programme, and before/after drawn per programme."""

from typing import Any

from mutu import effect_report
from mutu.demo import charts

MEASURED: dict[str, Any] = {
    "rank": 1,
    "program_id": "prog-pelayanan-prima",
    "people": {"passed": 3, "waiting": 1, "counted": 2},
    "before": {"answers": 12, "mean": 3.0, "sd": 0.3693},
    "after": {"answers": 10, "mean": 3.55, "sd": 0.3689},
    "difference": 0.55,
    "interval": {"level": 0.95, "low": 0.2196, "high": 0.8804, "se": 0.158, "df": 19.3},
    "reason": None,
    "appraisals": {"before": {"BAIK": 1}, "after": {}},
}
THIN: dict[str, Any] = MEASURED | {
    "rank": None,
    "program_id": "prog-etika",
    "people": {"passed": 1, "waiting": 0, "counted": 1},
    "before": {"answers": 3, "mean": None, "sd": None},
    "after": {"answers": 2, "mean": None, "sd": None},
    "difference": None,
    "interval": None,
    "reason": "not enough data: 3 answers before and 2 after (at least 10 on each side)",
}
EFFECT = {"period": "2026", "programs": [MEASURED, THIN]}


def test_the_text_has_a_block_per_programme_with_its_interval() -> None:
    lines = effect_report.text(EFFECT)
    assert "   1. prog-pelayanan-prima" in lines
    assert "      before 3.00 (12 answers)  after 3.55 (10 answers)  difference +0.55 [+0.22, +0.88]" in lines
    counted = "2 of 3 who passed counted, 1 waiting for the quarter after"
    assert f"      {counted}; appraisals before: BAIK 1; after: none" in lines
    assert "    - prog-etika" in lines
    assert f"      {THIN['reason']}" in lines


def test_the_chart_draws_before_and_after_for_measured_programmes_only() -> None:
    svg = effect_report.chart(EFFECT)
    assert svg.count('class="before"') == svg.count('class="after"') == 1
    assert 'cx="260.0"' not in svg  # no dot at 1.0: the thin programme has none
    assert "not enough data; answers before / after: 3 / 2" in svg
    assert "+0.55 [+0.22, +0.88]" in svg


def test_the_page_has_the_section_and_stays_self_contained() -> None:
    report = {
        "period": "2026-Q4",
        "units": [],
        "elements": dict.fromkeys(charts.ELEMENT_NAMES),
        "jp": {"duty": 20, "people": 0, "met": 0, "distribution": []},
        "earners": [],
        "recommendations": {"by_status": {}, "by_rule": {}, "open": []},
        "effectiveness": EFFECT,
    }
    page = charts.page(report)
    assert 'id="chart-effectiveness"' in page
    assert "<table id=effectiveness>" in page
    assert "0.2196 to 0.8804" in page
    assert "<script" not in page
    without = charts.page(report | {"effectiveness": None})
    assert without.count("chart-effectiveness") == 0
    assert page.count('class="bar"') == without.count('class="bar"')  # its dots are no bars
