"""The pages in a real headless Chromium: a citizen's survey form and the managers' portal."""

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from mutu import launcher
from shared.contract.calendar import Calendar
from tests import infra, pages
from tests.builders import a_training_completed, random_id, structured

pytestmark = pytest.mark.e2e
ANSWERS = {"u1": 4, "u2": 3, "u3": 2, "u4": 4, "u5": 3, "u6": 3, "u7": 4, "u8": 1, "u9": 2}


def this_quarter() -> str:
    return Calendar().quarter_of(dt.datetime.now(dt.UTC))


@pytest.fixture(scope="module")
def portal(stack: infra.Stack, var_dir: Path) -> Iterator[str]:
    process, url = pages.start_portal(stack.env, stack.urls, var_dir)
    try:
        yield url
    finally:
        launcher._terminate([process])


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with pages.chromium() as driver:
        yield driver


def a_unit() -> str:
    return infra.fresh_unit()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def counted(http: httpx.AsyncClient, stack: infra.Stack, unit: str, respondents: int) -> dict[str, Any]:
    """The unit's IKM from evaluation once it counts `respondents` answers."""
    url = f"{stack.urls['evaluation']}/units/{unit}/ikm"

    async def probe() -> dict[str, Any] | None:
        found: dict[str, Any] = (await http.get(url, params={"period": this_quarter()})).json()
        return found if found["respondents"] == respondents else None

    return await infra.eventually(probe, timeout=30)


def wait_for_text(driver: webdriver.Chrome, text: str) -> None:
    """Until the page (after any navigation in flight) shows `text`."""
    wait = WebDriverWait(
        driver, 30, ignored_exceptions=[StaleElementReferenceException, NoSuchElementException]
    )
    wait.until(lambda d: text in d.find_element(By.TAG_NAME, "body").text)


async def test_a_citizen_fills_the_form_and_the_answer_counts_in_the_ikm(
    stack: infra.Stack, browser: webdriver.Chrome, http: httpx.AsyncClient
) -> None:
    unit = a_unit()
    browser.get(f"{stack.urls['survey']}/s/{unit}")
    Select(browser.find_element(By.ID, "f-service_type")).select_by_value("KK")
    for code, value in ANSWERS.items():
        browser.find_element(By.CSS_SELECTOR, f"input[name='{code}'][value='{value}']").click()
    Select(browser.find_element(By.ID, "f-age_band")).select_by_value("35-44")
    Select(browser.find_element(By.ID, "f-occupation")).select_by_value("wiraswasta")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_text(browser, "Terima kasih")
    ikm = await counted(http, stack, unit, 1)
    assert ikm["nrr"] == {code: float(value) for code, value in ANSWERS.items()}
    assert ikm["by_channel"]["online"]["respondents"] == 1


async def test_the_form_can_be_filled_with_the_keyboard_alone(
    stack: infra.Stack, browser: webdriver.Chrome, http: httpx.AsyncClient
) -> None:
    unit = a_unit()
    browser.get(f"{stack.urls['survey']}/s/{unit}?lang=en&channel=counter")
    keys = ActionChains(browser)
    keys.send_keys(Keys.TAB, Keys.TAB, Keys.ARROW_DOWN)  # past the language link; first service type
    for value in ANSWERS.values():  # Tab into each group, Space picks the first answer, arrows move on
        keys.send_keys(Keys.TAB, Keys.SPACE, *([Keys.ARROW_DOWN] * (value - 1)))
    keys.send_keys(Keys.TAB, Keys.TAB, Keys.TAB, Keys.TAB, Keys.TAB, "ramah", Keys.TAB, Keys.ENTER)
    keys.perform()
    wait_for_text(browser, "Thank you")
    ikm = await counted(http, stack, unit, 1)
    assert ikm["nrr"] == {code: float(value) for code, value in ANSWERS.items()}
    assert ikm["by_channel"]["counter"]["respondents"] == 1


async def test_a_citizen_answers_the_form_of_a_service_ticket_once(
    stack: infra.Stack, keys: infra.Keys, browser: webdriver.Chrome, http: httpx.AsyncClient
) -> None:
    unit, nip = a_unit(), "198507142010011003"
    body = {"unit_id": unit, "served_by_nip": nip, "service_type": "KK", "channel": "counter"}
    issued = await http.post(f"{stack.urls['survey']}/tickets", json=body, headers=bearer(keys.integrator))
    assert issued.status_code == 201
    address = f"{stack.urls['survey']}/t/{issued.json()['ticket']}"
    browser.get(address)
    assert browser.find_element(By.ID, "officer").text == nip
    assert browser.find_element(By.ID, "service").text == "KK"
    assert not browser.find_elements(By.ID, "f-service_type")  # the ticket's, not asked
    for code, value in ANSWERS.items():
        browser.find_element(By.CSS_SELECTOR, f"input[name='{code}'][value='{value}']").click()
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_text(browser, "Terima kasih")
    ikm = await counted(http, stack, unit, 1)
    assert ikm["by_channel"]["counter"]["respondents"] == 1
    browser.get(address)  # a second visit: the ticket was used
    wait_for_text(browser, "Tiket sudah dipakai")
    browser.get(f"{address}?lang=en")
    wait_for_text(browser, "The ticket was already used")


async def test_the_form_and_the_qr_code_are_public(stack: infra.Stack, http: httpx.AsyncClient) -> None:
    unit = a_unit()
    form = await http.get(f"{stack.urls['survey']}/s/{unit}")
    assert form.status_code == 200
    assert form.headers["content-type"].startswith("text/html")
    qr = await http.get(f"{stack.urls['survey']}/units/{unit}/qr.svg")
    assert qr.status_code == 200
    assert qr.headers["content-type"] == "image/svg+xml"
    assert f"/s/{unit}" in qr.text
    refused = await http.post(f"{stack.urls['survey']}/s/{unit}", data={"service_type": "KK", "u1": "9"})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert (await http.get(f"{stack.urls['survey']}/s/kel-phantom")).status_code == 404
    assert (await http.get(f"{stack.urls['survey']}/units/kel-phantom/qr.svg")).status_code == 404
    assert (await http.get(f"{stack.urls['survey']}/t/{'x' * 32}")).status_code == 404


@pytest.mark.parametrize(
    "path", ["/", "/units/kel-candi", "/asn/198609262015051001", "/programmes", "/units/kel-candi/report"]
)
async def test_the_portal_sends_strangers_to_sign_in(portal: str, http: httpx.AsyncClient, path: str) -> None:
    answer = await http.get(f"{portal}{path}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


async def test_sign_in_needs_the_right_password_and_a_csrf_token(portal: str) -> None:
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        no_token = await client.post(
            "/login", data={"username": pages.MANAGER[0], "password": pages.MANAGER[1]}
        )
        assert no_token.status_code == 403
        page = (await client.get("/login")).text
        token = page.split('name="csrf" value="')[1].split('"')[0]
        wrong = await client.post(
            "/login", data={"csrf": token, "username": pages.MANAGER[0], "password": "wrong-password"}
        )
        assert wrong.status_code == 401
        right = await client.post(
            "/login",
            data={"csrf": token, "username": pages.MANAGER[0], "password": pages.MANAGER[1]},
            follow_redirects=False,
        )
        assert right.status_code == 303
        assert (await client.get("/")).status_code == 200
        assert (
            await client.post("/logout", data={"csrf": token})
        ).status_code == 403  # the token changed at sign-in


async def seeded(stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient) -> dict[str, Any]:
    """A unit with two answers, a person with a high score, a programme: figures to find on the pages."""
    unit = a_unit()
    for answers in ({f"u{i}": 4 for i in range(1, 10)}, {f"u{i}": 2 for i in range(1, 10)}):
        body = {
            "response_id": random_id("r"),
            "unit_id": unit,
            "service_type": "KK",
            "channel": "online",
            "answers": answers,
        }
        assert (await http.post(f"{stack.urls['survey']}/responses", json=body)).status_code == 202
    completed = a_training_completed(unit_id=unit, score=95)
    entry = {"unit_id": unit, "employee_type": "PNS", "name": "Sri Lestari", "active": True}
    put = await http.put(
        f"{stack.urls['training']}/asn/{completed.nip}", json=entry, headers=bearer(keys.admin)
    )
    assert put.status_code == 200, put.text
    posted = await infra.post_cloudevent(http, stack.urls["training"], keys.integrator, structured(completed))
    assert posted.status_code == 202
    program = {"program_id": random_id("prog"), "title": "Etika pelayanan", "competency": "service_ethics", "method": "classroom",
               "jp": 8, "starts_at": "2027-02-01T08:00:00+07:00", "ends_at": "2027-02-02T16:00:00+07:00", "capacity": 25}  # fmt: skip
    assert (
        await http.post(f"{stack.urls['training']}/programs", json=program, headers=bearer(keys.admin))
    ).status_code == 201
    today = dt.datetime.now(dt.UTC).date().isoformat()
    writer = bearer(keys.integrator)
    forum = {"date": today, "unit_id": unit, "topic": "Forum warga", "topic_code": "layanan_online",
             "attended_by": [completed.nip], "attendees": 20}  # fmt: skip
    held = await http.post(f"{stack.urls['survey']}/forums", json=forum, headers=writer)
    assert held.status_code == 202, held.text
    item = {"category": "complaint", "topic_code": "layanan_online", "text": "aplikasi sulit dipakai"}
    added = await http.post(
        f"{stack.urls['survey']}/forums/{held.json()['id']}/items", json=item, headers=writer
    )
    assert added.status_code == 202, added.text
    profile_url = f"{stack.urls['evaluation']}/asn/{completed.nip}/profile"
    signals_url = f"{stack.urls['evaluation']}/forum-signals"

    async def attended_and_counted() -> bool:  # the pages are compared with the APIs once settled
        profile = (await http.get(profile_url, headers=bearer(keys.reader))).json()
        found = await http.get(
            signals_url, params={"period": this_quarter(), "unit_id": unit}, headers=bearer(keys.reader)
        )
        return bool(profile["forums"]) and bool(found.json()["units"])

    await infra.eventually(attended_and_counted, timeout=30)
    await counted(http, stack, unit, 2)
    points_url = f"{stack.urls['rewards']}/asn/{completed.nip}/points"

    async def credited() -> bool:
        return (await http.get(points_url, headers=bearer(keys.reader))).json()["balance"] > 0

    await infra.eventually(credited, timeout=30)
    return {"unit": unit, "nip": completed.nip, "program": program["program_id"]}


async def programmes_page_matches(
    browser: webdriver.Chrome,
    portal: str,
    stack: infra.Stack,
    http: httpx.AsyncClient,
    keys: infra.Keys,
    seed: dict[str, Any],
) -> None:
    """Seats, unmet demand and effectiveness as training and evaluation give them."""
    reader, period = bearer(keys.reader), this_quarter()
    browser.get(f"{portal}/programmes")
    listed = next(
        p
        for p in (await http.get(f"{stack.urls['training']}/programs")).json()
        if p["program_id"] == seed["program"]
    )
    assert browser.find_element(
        By.CSS_SELECTOR, f"tr[data-program='{seed['program']}'] td.seats"
    ).text == str(listed["seats_left"])

    planning = (
        await http.get(f"{stack.urls['training']}/planning", params={"period": period}, headers=reader)
    ).json()
    shown_plan = [
        row.get_attribute("data-competency")
        for row in browser.find_elements(By.CSS_SELECTOR, "#planning tr[data-competency]")
    ]
    assert shown_plan == [c["competency"] for c in planning["competencies"]]
    effect = (
        await http.get(
            f"{stack.urls['evaluation']}/effectiveness", params={"period": period[:4]}, headers=reader
        )
    ).json()
    shown_effect = browser.find_elements(By.CSS_SELECTOR, "#effectiveness tr[data-program]")
    assert len(shown_effect) == len(effect["programs"])


async def test_a_manager_sees_the_services_figures_on_every_page(
    stack: infra.Stack, keys: infra.Keys, portal: str, browser: webdriver.Chrome, http: httpx.AsyncClient
) -> None:
    seed = await seeded(stack, keys, http)
    unit, period = seed["unit"], this_quarter()
    reader = bearer(keys.reader)
    pages.sign_in(browser, portal)
    wait_for_text(browser, "Ringkasan program")

    ikm = (await http.get(f"{stack.urls['evaluation']}/ikm", params={"period": period})).json()
    row = next(u for u in ikm["units"] if u["unit_id"] == unit)
    shown = browser.find_element(By.CSS_SELECTOR, f"#ikm tr[data-unit='{unit}'] td.ikm").text
    assert shown == f"{row['converted']:.2f}"
    recs = (
        await http.get(
            f"{stack.urls['evaluation']}/recommendations", params={"status": "open"}, headers=reader
        )
    ).json()
    assert browser.find_element(By.ID, "open-count").text == str(recs["count"])

    pace = browser.find_element(By.CSS_SELECTOR, f"#pace tr[data-unit='{unit}'] td.members").text
    listed = (await http.get(f"{stack.urls['training']}/units/{unit}/members", headers=reader)).json()
    assert pace == str(len(listed["members"])) == "1"

    browser.find_element(By.CSS_SELECTOR, f"#ikm tr[data-unit='{unit}'] a").click()
    wait_for_text(browser, f"Unit {unit}")
    unit_ikm = (
        await http.get(f"{stack.urls['evaluation']}/units/{unit}/ikm", params={"period": period})
    ).json()
    summary = (
        await http.get(
            f"{stack.urls['survey']}/units/{unit}/responses/summary",
            params={"period": period},
            headers=reader,
        )
    ).json()
    assert browser.find_element(By.ID, "converted").text == f"{unit_ikm['converted']:.2f}"
    assert browser.find_element(By.ID, "sample-responses").text == str(summary["responses"]) == "2"
    assert browser.find_element(By.ID, "sample-minimum").text == str(summary["sample"]["minimum"])
    assert (
        len(browser.find_elements(By.CSS_SELECTOR, "svg.bars rect.bar")) == 18
    )  # nine elements: all and online
    members = (await http.get(f"{stack.urls['training']}/units/{unit}/members", headers=reader)).json()[
        "members"
    ]
    member = next(m for m in members if m["nip"] == seed["nip"])
    row = f"#members tr[data-nip='{seed['nip']}']"
    assert browser.find_element(By.CSS_SELECTOR, f"{row} td.jp").text == str(member["jp_this_year"])
    assert "Sri Lestari" in browser.find_element(By.CSS_SELECTOR, row).text

    signals = (
        await http.get(
            f"{stack.urls['evaluation']}/forum-signals",
            params={"period": period, "unit_id": unit},
            headers=reader,
        )
    ).json()
    complaints = sum(t["complaints"] for u in signals["units"] for t in u["topics"])
    shown_complaints = browser.find_elements(By.CSS_SELECTOR, "#signals td.complaints")
    assert sum(int(cell.text) for cell in shown_complaints) == complaints

    browser.get(f"{portal}/units/{unit}/report?period={period}")
    assert browser.find_element(By.ID, "report-converted").text == f"{unit_ikm['converted']:.2f}"
    assert browser.find_element(By.ID, "report-grade").text == unit_ikm["grade"]
    assert browser.find_element(By.ID, "report-index").text == f"{unit_ikm['index']:.3f}"

    browser.get(f"{portal}/asn/{seed['nip']}")
    points = (await http.get(f"{stack.urls['rewards']}/asn/{seed['nip']}/points", headers=reader)).json()
    assert browser.find_element(By.ID, "balance").text == str(points["balance"])
    profile = (await http.get(f"{stack.urls['evaluation']}/asn/{seed['nip']}/profile", headers=reader)).json()
    year, jp = next(iter(profile["jp"].items()))
    attended = {f["forum_id"] for f in profile["forums"]}
    assert {
        row.get_attribute("data-forum")
        for row in browser.find_elements(By.CSS_SELECTOR, "#forums tr[data-forum]")
    } == attended
    assert browser.find_element(By.CSS_SELECTOR, f"#jp tr[data-year='{year}'] td.num").text == str(jp["jp"])

    await programmes_page_matches(browser, portal, stack, http, keys, seed)

    browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait_for_text(browser, "Masuk ke dasbor")
    browser.get(f"{portal}/programmes")
    assert "/login" in browser.current_url


def test_the_report_prints_to_pdf(
    stack: infra.Stack, keys: infra.Keys, var_dir: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "skm.pdf"
    urls = [arg for service, url in stack.urls.items() for arg in (f"--base-url-{service}", url)]
    result = subprocess.run(
        [".venv/bin/mutu", "report", "--unit", "kel-candi", "--period", this_quarter(), "--pdf", str(pdf), *urls],
        env=stack.env | {"MUTU_READER_KEY": keys.reader, "MUTU_INTEGRATOR_KEY": keys.integrator, "MUTU_ADMIN_KEY": keys.admin},
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
