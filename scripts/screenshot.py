"""Take the README's screenshot: the seed graph's page with its best-connected park selected.

    .venv/bin/python scripts/screenshot.py [PAGE] [PNG]

PAGE defaults to ``out/graph.html`` (run ``kg build`` first), PNG to ``docs/screenshot.png``.
Uses the headless Chromium the browser tests use, with the network blocked.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def main(page: Path, png: Path) -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="kg-shot-") as profile:
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1400,900",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        try:
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*"]})
            driver.get(page.resolve().as_uri())
            deadline = time.monotonic() + 30
            while not driver.execute_script("return !!(window.kg && window.kg.settled)"):
                if time.monotonic() > deadline:
                    raise SystemExit(f"{page} did not settle within 30 s")
                time.sleep(0.1)
            driver.execute_script(
                "const park = kg.data.nodes.filter(n => n.c === 'Park').sort((a, b) => b.d - a.d)[0];"
                "if (park) { kg.showNode(park.id);"
                " kgNetwork.focus(park.id, {scale: 1.1, offset: {x: -220, y: 0}, animation: false}); }"
            )
            time.sleep(1.0)
            png.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(png))
        finally:
            driver.quit()
    print(f"wrote {png}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(
        Path(arguments[0]) if arguments else Path("out/graph.html"),
        Path(arguments[1]) if len(arguments) > 1 else Path("docs/screenshot.png"),
    )
