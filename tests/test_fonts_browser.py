"""Chinese in the HTML explorer renders with a CJK font, not as boxes ("tofu").

Headless Chromium (network blocked, as in test_viz_browser.py) with fontconfig limited to the
fonts installed on the machine (/usr/share/fonts, no user or application fonts). Needs Debian's
``fonts-noto-cjk`` (CI and the README's set-up install it); without a CJK font these tests fail
and say what to install, they do not skip.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from test_viz_browser import BLOCKED, CHROMEDRIVER, CHROMIUM, open_page

from kg.viz import explore, write_view

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts</dir>
  <cachedir>{cache}</cachedir>
  <config></config>
</fontconfig>
"""
INSTALL = "install a CJK font: apt-get install -y fonts-noto-cjk (CI and the README's set-up do)"

# Draws ``text`` in ``font`` on a canvas, one picture per character, and the same for characters
# no font has (U+10FFFD, a private-use code point: always the .notdef box). Returns, per character
# of ``text``, whether its picture differs from the box's, and the first font family of the page.
RENDER = """
const [text, font] = arguments;
function picture(ch) {
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext('2d');
  ctx.font = font; ctx.textBaseline = 'top'; ctx.fillStyle = '#000';
  ctx.fillText(ch, 4, 4);
  return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(',');
}
const box = picture('\\u{10FFFD}');
return Array.from(text).map(ch => picture(ch) !== box);
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium that sees only the system's installed fonts, network blocked."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"font tests need {' and '.join(missing)}: apt-get install -y chromium chromium-driver", pytrace=False
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="kg-fonts-") as folder:
        conf = Path(folder) / "fonts.conf"
        conf.write_text(FONTS_CONF.format(cache=Path(folder) / "cache"), encoding="utf-8")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-component-update", "--no-first-run", "--disable-extensions",
                         "--window-size=1200,800", f"--user-data-dir={Path(folder) / 'profile'}"):  # fmt: skip
            options.add_argument(argument)
        service = Service(
            str(CHROMEDRIVER), env={"PATH": "/usr/bin:/bin", "HOME": folder, "FONTCONFIG_FILE": str(conf)}
        )
        driver = webdriver.Chrome(service=service, options=options)
        try:
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": BLOCKED})
            yield driver
        finally:
            driver.quit()


@pytest.fixture(scope="module")
def page(seed_graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_view(explore(seed_graph), tmp_path_factory.mktemp("fonts") / "seed.html", title="kg 知识图谱")


def _families(stack: str) -> list[str]:
    return [family.strip().strip("\"'") for family in stack.split(",") if family.strip()]


def test_page_names_cjk_font_fallbacks(browser: Any, page: Path) -> None:
    open_page(browser, page)
    stack = browser.execute_script("return getComputedStyle(document.body).fontFamily")
    families = _families(stack)
    assert families[-1] == "sans-serif"
    assert {"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei"} <= set(
        families
    )


@pytest.mark.parametrize("selector", ["#top h1", "#legend .zh"])
def test_chinese_text_renders_with_a_font_the_page_names(browser: Any, page: Path, selector: str) -> None:
    """Chromium reports the platform fonts it drew an element's text with (DevTools CSS domain)."""
    open_page(browser, page)
    families = _families(browser.execute_script("return getComputedStyle(document.body).fontFamily"))
    browser.execute_cdp_cmd("DOM.enable", {})
    browser.execute_cdp_cmd("CSS.enable", {})
    root = browser.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = browser.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"no {selector} on the page"
    used = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    text = browser.execute_script(f"return document.querySelector({selector!r}).textContent")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    cjk = [font["familyName"] for font in used if font["familyName"] in families[:-1]]
    assert cjk, (
        f"{selector} ({text!r}) was drawn with {[f['familyName'] for f in used]}, none of the page's CJK fonts; {INSTALL}"
    )


@pytest.mark.parametrize("text", ["南昌高新区", "江西珉轩智能科技有限公司", "园区企业政策人物"])
def test_chinese_labels_are_not_tofu(browser: Any, page: Path, text: str) -> None:
    """Every character, drawn in the page's font stack (as the graph's labels are), differs from
    the .notdef box a font-less character gets."""
    open_page(browser, page)
    stack = browser.execute_script("return getComputedStyle(document.body).fontFamily")
    drawn = browser.execute_script(RENDER, text, f"40px {stack}")
    boxes = [ch for ch, differs in zip(text, drawn, strict=True) if not differs]
    assert boxes == [], f"{''.join(boxes)} render as boxes (tofu); {INSTALL}"
