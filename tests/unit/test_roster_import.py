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


def test_a_bad_nip_never_reaches_the_url_and_printed_nips_are_read(tmp_path: Path) -> None:
    """A NIP cell like `../programs?x=` was put into the URL as it was."""
    paths: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(200, json={})

    row = {"unit_id": "kel-candi", "employee_type": "PNS", "name": "", "active": "yes"}
    rows = [row | {"nip": "../programs?x="}, row | {"nip": "19860926 201505 1 001"}, row | {"nip": ""}]
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        results = roster.import_rows(rows, client=client, url="http://training", key="k")
    assert paths == [f"/asn/{GOOD}"]
    assert [(r.line, r.error is None) for r in results] == [(2, False), (3, True), (4, False)]
    assert results[0].error is not None
    assert "18 digits" in results[0].error


def test_a_repeated_nip_is_put_once_and_a_contradicting_one_refused(tmp_path: Path) -> None:
    paths: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(200, json={})

    row = {"nip": GOOD, "unit_id": "kel-candi", "employee_type": "PNS", "name": "", "active": "yes"}
    rows = [row, row, row | {"unit_id": "kel-jomblang"}]
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        results = roster.import_rows(rows, client=client, url="http://training", key="k")
    assert paths == [f"/asn/{GOOD}"]
    assert [(r.line, r.error) for r in results] == [(2, None), (3, None), (4, "contradicts line 2")]


def test_a_field_over_the_csv_limit_is_a_clear_refusal_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(HEADER + f"{GOOD},kel-candi,PNS,{'x' * 200_000},true\n", encoding="utf-8")
    monkeypatch.setenv("MUTU_ADMIN_KEY", "k")
    with pytest.raises(SystemExit, match="line 2: field larger than field limit"):
        cli.main(["roster", "import", str(path)])
