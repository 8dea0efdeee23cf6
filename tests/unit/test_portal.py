"""The portal's sign-in, CSRF and notices, with every service down (no service answers here)."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.portal import app, auth, periods
from services.portal.settings import PortalSettings
from shared.web import users
from tests import infra

PASSWORD = "a long enough password"  # noqa: S105 - a test account


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    down = f"http://127.0.0.1:{infra.free_port()}"  # nothing listens there
    users.UserFile(tmp_path / "portal-users.json").create("kepala", "manager", PASSWORD)
    settings = PortalSettings(
        var_dir=tmp_path, training_url=down, survey_url=down, evaluation_url=down, rewards_url=down
    )
    return TestClient(app.create_app(settings))


def csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"', maxsplit=1)[0]


def signed_in(client: TestClient) -> str:
    token = csrf(client.get("/login").text)
    answer = client.post("/login", data={"csrf": token, "username": "kepala", "password": PASSWORD})
    assert answer.status_code == 200
    return csrf(answer.text)


def test_pages_redirect_to_sign_in_and_back(client: TestClient) -> None:
    answer = client.get("/units/kel-candi?period=2026-Q4", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/units/kel-candi?period=2026-Q4"
    page = client.get(answer.headers["location"]).text
    assert 'name="next" value="/units/kel-candi?period=2026-Q4"' in page


def test_a_wrong_password_or_a_missing_token_is_refused(client: TestClient) -> None:
    token = csrf(client.get("/login").text)
    assert client.post("/login", data={"username": "kepala", "password": PASSWORD}).status_code == 403
    wrong = client.post("/login", data={"csrf": token, "username": "kepala", "password": "not the password"})
    assert wrong.status_code == 401
    assert "salah" in wrong.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_pages_say_which_service_is_down_instead_of_failing(client: TestClient) -> None:
    signed_in(client)
    for path in (
        "/",
        "/units/kel-candi",
        "/asn/198609262015051001",
        "/programmes",
        "/units/kel-candi/report",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert 'class="notice"' in answer.text, path
        assert "tidak dapat dihubungi" in answer.text


def test_logout_needs_the_session_token_and_ends_the_session(client: TestClient) -> None:
    token = signed_in(client)
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/programmes", follow_redirects=False).status_code == 200
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert client.get("/programmes", follow_redirects=False).status_code == 303


def test_a_removed_user_is_signed_out(client: TestClient, tmp_path: Path) -> None:
    signed_in(client)
    users.UserFile(tmp_path / "portal-users.json").remove("kepala")
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example", None, ""])
def test_sign_in_never_redirects_off_site(target: str | None) -> None:
    assert auth.safe_next(target) == "/"


def test_the_last_four_quarters_cross_the_year() -> None:
    assert periods.last("2026-Q1") == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    assert periods.chosen("2026-Q9").startswith("20")


def test_passwords_are_kept_as_argon2_hashes(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    password = users.UserFile(path).create("staf", "manager")
    assert password not in path.read_text()
    assert "$argon2id$" in path.read_text()
    assert users.UserFile(path).verify("staf", password) is not None
    assert users.UserFile(path).verify("staf", password + "x") is None
    assert users.UserFile(path).verify("nobody", password) is None


def test_mutu_users_create_prints_a_generated_password_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mutu import cli

    path = tmp_path / "users.json"
    cli.main(["users", "--file", str(path), "create", "kepala-seksi", "--role", "manager"])
    password = capsys.readouterr().out.strip()
    assert users.UserFile(path).verify("kepala-seksi", password) is not None
    cli.main(["users", "--file", str(path), "list"])
    assert capsys.readouterr().out.split() == ["kepala-seksi", "manager"]
    with pytest.raises(SystemExit):
        cli.main(["users", "--file", str(path), "create", "Bad Name"])
