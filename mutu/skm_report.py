"""`mutu report --unit U`: the official SKM report of a unit as HTML or, via headless Chromium, PDF."""

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mutu.demo import command as demo
from services.portal import app, report
from services.portal.client import Services


async def render(target: demo.Target, unit_id: str, period: str) -> tuple[str, list[str]]:
    """The report page (the portal's template, without navigation) and what could not be read."""
    services = Services(target.urls, target.keys["reader"], timeout=30)
    try:
        data = await report.gather(services, unit_id, period)
    finally:
        await services.aclose()
    return app.render_report(data), data["notices"]


def print_pdf(html: str, pdf: Path) -> None:
    """Chromium's print-to-PDF of the page (A4, the page's print CSS, no browser header or footer)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("report: --pdf needs chromium (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "report.html"
        page.write_text(html)
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
        command += [f"--user-data-dir={scratch}/profile", f"--print-to-pdf={pdf.resolve()}", page.as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    if done.returncode != 0 or not pdf.exists():
        sys.exit(f"report: chromium could not print the PDF: {done.stderr[-400:]}")


def run(target: demo.Target, unit_id: str, period: str, html: Path | None, pdf: Path | None) -> None:
    page, notices = asyncio.run(render(target, unit_id, period))
    for notice in notices:
        print(f"warning: {notice}", file=sys.stderr)
    if html is not None:
        html.write_text(page)
        print(f"wrote {html}")
    if pdf is not None:
        print_pdf(page, pdf)
        print(f"wrote {pdf}")
    if html is None and pdf is None:
        print(page)
