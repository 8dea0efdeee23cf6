"""`mutu roster import`: each CSV row becomes one PUT /asn/{nip}; refused rows are reported with the reason."""

import json
from pathlib import Path

import httpx
import pytest

from mutu import cli, roster

HEADER = "nip,unit_id,employee_type,name,active\n"
GOOD, OTHER = "198609262015051001", "199001012020121002"


def test_rows_are_put_with_the_admin_key_and_bad_rows_reported(tmp_path: Path) -> None:
    sent: list[tuple[str, dict[str, object], str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append((request.url.path, body, request.headers["Authorization"]))
        if body["unit_id"] == "kel-nowhere":
            detail = [{"loc": ["body", "unit_id"], "msg": "unknown unit: see GET /units"}]
            return httpx.Response(422, json={"detail": detail})
        return httpx.Response(200, json={})

    rows = [
        {"nip": GOOD, "unit_id": "kel-candi", "employee_type": "pns", "name": "Sri", "active": "true"},
        {"nip": OTHER, "unit_id": "kel-nowhere", "employee_type": "PPPK", "name": "", "active": "0"},
        {"nip": OTHER, "unit_id": "kel-candi", "employee_type": "PPPK", "name": "", "active": "maybe"},
    ]
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        results = roster.import_rows(rows, client=client, url="http://training", key="k")
    assert sent[0] == (
        f"/asn/{GOOD}",
        {"unit_id": "kel-candi", "employee_type": "PNS", "active": True, "name": "Sri"},
        "Bearer k",
    )
    assert sent[1][1] == {"unit_id": "kel-nowhere", "employee_type": "PPPK", "active": False}
    assert len(sent) == 2  # the row with a bad `active` is not sent
    assert [(r.line, r.error) for r in results] == [
        (2, None),
        (3, "HTTP 422 unit_id: unknown unit: see GET /units"),
        (4, "active must be true or false, not 'maybe'"),
    ]


def test_a_file_without_a_column_is_refused_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hr.csv"
    path.write_text("nip,unit_id,active\n")
    monkeypatch.setenv("MUTU_ADMIN_KEY", "k")
    with pytest.raises(SystemExit, match="missing column"):
        cli.main(["roster", "import", str(path)])


def test_the_csv_is_read_with_its_header(tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(HEADER + f"{GOOD},kel-candi,PNS,Sri Rahayu,true\n", encoding="utf-8")
    assert roster.read_csv(path) == [
        {"nip": GOOD, "unit_id": "kel-candi", "employee_type": "PNS", "name": "Sri Rahayu", "active": "true"}
    ]
