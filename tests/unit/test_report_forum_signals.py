"""`mutu report`'s forum-signals section: complaints per unit and topic, the ones that reach the minimum."""

from mutu import report
from mutu.demo import charts

FOUND = {
    "period": "2026-Q3",
    "minimum": 5,
    "closed": True,
    "units": [
        {
            "unit_id": "kel-candi",
            "items": 9,
            "topics": [
                {"topic_code": None, "topic": None, "competency": None, "complaints": 2, "signal": False},
                {
                    "topic_code": "antrean",
                    "topic": "Antrean dan waktu tunggu",
                    "competency": "digital_service",
                    "complaints": 6,
                    "signal": True,
                },
            ],
        },
        {"unit_id": "kel-jomblang", "items": 1, "topics": []},
    ],
}


def test_complaints_are_listed_most_first_and_a_signal_names_its_competency() -> None:
    found = report._forum_signals(FOUND, None)
    assert [(r["unit_id"], r["topic"], r["complaints"]) for r in found["complaints"]] == [
        ("kel-candi", "Antrean dan waktu tunggu", 6),
        ("kel-candi", "(no topic)", 2),
    ]
    lines = report._forum_lines(found)
    assert "retraining at >= 5; closed" in lines[1]
    assert lines[2].endswith("-> digital_service")
    assert "->" not in lines[3]


def test_a_roster_limits_the_units_and_none_says_so() -> None:
    found = report._forum_signals(FOUND, {"kel-jomblang": "Kelurahan Jomblang"})
    assert report._forum_lines(found)[-1] == "  no complaints"


def test_the_html_page_lists_the_signals() -> None:
    section = charts._forum_signals(report._forum_signals(FOUND, None))
    assert "<table id=forum-signals>" in section
    assert (
        "<td>Antrean dan waktu tunggu</td><td class=num>6</td><td>digital_service</td><td>retraining</td>"
        in section
    )
    assert "(closed)" in section
