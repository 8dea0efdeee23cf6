"""`make screenshots`: a screenshot of each page, on a stack of its own filled by the demo (small scale)."""

import asyncio
import sys
import tempfile
from pathlib import Path

import httpx
from selenium import webdriver

from mutu import launcher
from mutu.demo import command as demo
from mutu.demo import roster
from tests import infra, pages


def full_page(driver: webdriver.Chrome, path: Path, width: int = 1280) -> None:
    driver.set_window_size(width, 900)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(width, min(height + 40, 6000))
    driver.save_screenshot(str(path))
    print(f"wrote {path}")


def shoot(out: Path, urls: dict[str, str], portal: str, unit: str, nip: str) -> None:
    period = roster.PERIOD
    with pages.chromium() as driver:
        driver.get(f"{urls['survey']}/s/{unit}")
        full_page(driver, out / "01-survey-form.png", width=412)
        driver.get(f"{urls['survey']}/s/{unit}?lang=en")
        full_page(driver, out / "02-survey-form-en.png", width=412)
        driver.get(f"{urls['survey']}/s/{unit}/thanks")
        full_page(driver, out / "03-survey-thanks.png", width=412)
        driver.get(f"{urls['survey']}/units/{unit}/qr.svg")
        full_page(driver, out / "04-survey-qr.png", width=412)
        driver.get(f"{portal}/login")
        full_page(driver, out / "05-portal-login.png")
        pages.sign_in(driver, portal)
        driver.get(f"{portal}/?period={period}")
        driver.set_window_size(1280, 900)
        driver.save_screenshot(str(out / "00-readme-overview.png"))  # the README's (docs/portal-overview.png)
        for name, path in (
            ("06-portal-overview", f"/?period={period}"),
            ("07-portal-unit", f"/units/{unit}?period={period}"),
            ("08-portal-person", f"/asn/{nip}"),
            ("09-portal-programmes", "/programmes"),
            ("10-portal-skm-report", f"/units/{unit}/report?period={period}"),
        ):
            driver.get(portal + path)
            served = driver.execute_script(
                "const t = performance.getEntriesByType('navigation')[0]; return t.responseEnd - t.requestStart"
            )
            print(f"{path}: answered in {served:.0f} ms")  # the aim: 300 ms on the demo's data
            full_page(driver, out / f"{name}.png")


async def capture(out: Path) -> None:
    """The demo's quarter on a fresh stack, then a screenshot of every page."""
    with tempfile.TemporaryDirectory() as scratch, infra.site(Path(scratch)) as site:
        async with infra.running_stack(site, launcher.SERVICES) as stack:
            keys = site.keys
            roles = {"integrator": keys.integrator, "reader": keys.reader, "admin": keys.admin}
            sent = await demo.simulate(
                demo.Target(dict(stack.urls), roles), seed=2026, scale="small", quiet=True
            )
            portal_process, portal = pages.start_portal(stack.env, stack.urls, site.var_dir)
            try:
                board = httpx.get(f"{stack.urls['rewards']}/leaderboard", params={"period": roster.PERIOD},
                                  headers={"Authorization": f"Bearer {keys.reader}"}, timeout=30).json()  # fmt: skip
                nip = board["leaders"][0]["nip"] if board["leaders"] else sent["roster"]["people"][0]["nip"]
                shoot(out, stack.urls, portal, sent["struggling_unit"], nip)
            finally:
                launcher._terminate([portal_process])


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(capture(out))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/screenshots"))
