"""Pages in a real browser: headless Debian Chromium driven by Selenium, and the portal process."""

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from mutu import launcher
from shared.web import apikeys, users
from tests import infra

MANAGER = ("manager-test", "correct horse battery staple")


@contextmanager
def chromium(width: int = 1280, height: int = 1600) -> Iterator[webdriver.Chrome]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    assert binary, "install Debian's chromium: apt-get install -y chromium"
    assert driver_path, "install Debian's chromium-driver: apt-get install -y chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def start_portal(
    env: dict[str, str], urls: dict[str, str], var_dir: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """The portal on a free port, reading the given services with a reader key of its own."""
    reader = apikeys.KeyFile(Path(env.get("API_KEYS_FILE") or var_dir / "api-keys.json")).create(
        "reader", name="portal"
    )
    users.UserFile(var_dir / "portal-users.json").create(MANAGER[0], "manager", MANAGER[1])
    port = infra.free_port()
    portal_env = env | {f"{s.upper()}_URL": url for s, url in urls.items()} | {"READER_KEY": reader}
    process = launcher.start_service(launcher.PORTAL, portal_env, port=port)
    url = f"http://127.0.0.1:{port}"
    launcher.wait_healthy([url], timeout=180)  # 2 shared cores can be slow
    return process, url


def sign_in(
    driver: webdriver.Chrome, portal: str, name: str = MANAGER[0], password: str = MANAGER[1]
) -> None:
    driver.get(f"{portal}/login")
    driver.find_element("id", "username").send_keys(name)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("css selector", "form[action='/login'] button").click()
