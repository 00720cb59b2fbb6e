"""The HTML report in a real browser: Debian's chromium, headless, driven by selenium through chromium-driver.

Each page is opened from a file:// URL. The tests check that the highlights, the heatmap and the
filters are there and work (a click hides rows), that the console holds no error (a style or script
the page's Content-Security-Policy refused would be one), that no request leaves the page, and that
hostile input text executes nothing even with that policy switched off (escaping alone holds). A
screenshot of each page is saved under ``test-artifacts/`` (git-ignored) and pytest's tmp_path.

Like the Apertium tests: without chromium, chromium-driver or selenium these fail in CI
(``scripts/setup.sh --test`` installs them) and skip elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, run_cli
from .report_data import hostile_result

ARTIFACTS = ROOT / "test-artifacts"
BROWSER_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)
#: Generous: a slow shared machine must not fail a test that waits for a condition.
WAIT = 60


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed; scripts/setup.sh --test installs it")
    pytest.skip(f"{what} is not installed (bash scripts/setup.sh --test installs it)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless chromium with its console and performance (network) logs recorded."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        _missing("chromium")
    driver_path = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
    )
    if driver_path is None:
        _missing("chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in BROWSER_ARGS:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    saved = hostile_result(tmp)
    out = tmp / "report.html"
    proc = run_cli("report", str(saved), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def _open(driver: Any, page: Path, bypass_csp: bool = False) -> None:
    """Load ``page`` from file:// with ``alert``/``confirm``/``prompt`` recorded; wait until its script ran."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")
    driver.get_log("performance")  # start both logs afresh
    driver.execute_cdp_cmd("Page.setBypassCSP", {"enabled": bypass_csp})
    driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": "window.__calls = [];"
            "for (const f of ['alert', 'confirm', 'prompt']) {"
            "  window[f] = (m) => { window.__calls.push(f + ':' + m); };"
            "}"
        },
    )
    driver.get(page.as_uri())
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return document.body && document.body.getAttribute('data-ready')") == "1"
    )


def _requests(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _screenshot(driver: Any, name: str, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for where in (tmp_path / name, ARTIFACTS / name):
        assert driver.save_screenshot(str(where)), where
        assert where.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_report_works_in_the_browser(browser: Any, report: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open(browser, report)
    # Highlights: every term marked, its outcome as text and its details as a tooltip.
    marks = browser.find_elements(By.CSS_SELECTOR, "mark.term[data-concept]")
    assert marks and all(m.find_element(By.CSS_SELECTOR, ".label").text.strip() for m in marks)
    variant = browser.find_element(By.CSS_SELECTOR, 'mark[data-concept="terrorist"][data-outcome="variant"]')
    assert "softened" in variant.get_attribute("title") and variant.value_of_css_property("border-bottom-style")
    # The heatmap is drawn: an SVG with a visible cell per concept and path and a <title> per cell.
    svg = browser.find_element(By.CSS_SELECTOR, "#heatmap svg")
    assert svg.is_displayed() and svg.size["width"] > 100 and svg.size["height"] > 100
    cells = svg.find_elements(By.CSS_SELECTOR, "g.hm-cell")
    assert len(cells) == 4 and all(c.find_element(By.CSS_SELECTOR, "rect").size["width"] > 10 for c in cells)
    assert "CI" in browser.execute_script("return arguments[0].querySelector('title').textContent", cells[0])
    _screenshot(browser, "report.png", tmp_path)

    rows = browser.find_elements(By.CSS_SELECTOR, "tr.segment")
    assert len(rows) == 5 and all(r.is_displayed() for r in rows)
    # Untick "variant": segment 2 holds only a variant (terrorists → militants) and is hidden;
    # segment 0 keeps its kept "Daesh" and stays.
    browser.find_element(By.ID, "f-outcome-variant").click()
    WebDriverWait(browser, WAIT).until(lambda d: not rows[2].is_displayed())
    assert rows[0].is_displayed() and rows[4].is_displayed() and not rows[3].is_displayed()
    assert browser.find_element(By.ID, "shown-count").text == "3"
    # Concept filter: only "isis" left.
    browser.find_element(By.CSS_SELECTOR, 'button[data-set="concept"][data-value="off"]').click()
    browser.find_element(By.CSS_SELECTOR, 'input[data-filter="concept"][value="isis"]').click()
    WebDriverWait(browser, WAIT).until(lambda d: not rows[1].is_displayed())
    assert [r.is_displayed() for r in rows] == [True, False, False, False, True]
    summary = browser.find_elements(By.CSS_SELECTOR, "tr.summary-row")
    assert {r.get_attribute("data-concept") for r in summary if r.is_displayed()} == {"isis", "(all)"}
    # Path filter: no path, no path section and no summary row.
    browser.find_element(By.ID, "f-path-p0").click()
    WebDriverWait(browser, WAIT).until(lambda d: not d.find_element(By.CSS_SELECTOR, "div.path").is_displayed())
    assert not any(r.is_displayed() for r in summary)
    assert browser.find_element(By.ID, "shown-count").text == "0"
    _screenshot(browser, "report-filtered.png", tmp_path)

    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert _requests(browser) == [report.as_uri()]


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-bypassed"])
def test_hostile_text_executes_nothing(browser: Any, report: Path, tmp_path: Path, bypass_csp: bool) -> None:
    """Markup, handlers, javascript: URLs from the input are text, also with the page's CSP switched off."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    _open(browser, report, bypass_csp=bypass_csp)
    browser.execute_script("for (const d of document.querySelectorAll('details')) { d.open = true; }")
    for cell in browser.find_elements(By.CSS_SELECTOR, "tr.segment td")[:12]:
        ActionChains(browser).move_to_element(cell).perform()  # an injected onmouseover would fire here
    found = browser.execute_script(
        """
        const handlers = [];
        for (const el of document.querySelectorAll('*')) {
          for (const a of el.attributes) {
            if (a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value)) {
              handlers.push(el.tagName + ' ' + a.name);
            }
          }
        }
        return {
          calls: window.__calls,
          scripts: document.scripts.length,
          injected: document.querySelectorAll('img, iframe, object, embed, a, form, b, textarea').length,
          svgs: document.querySelectorAll('svg').length,
          handlers: handlers,
          cookie: document.cookie,
        };
        """
    )
    assert found == {"calls": [], "scripts": 1, "injected": 0, "svgs": 1, "handlers": [], "cookie": ""}
    text = browser.find_element(By.ID, "documents").text
    assert "<script>alert(1)</script>" in text and '<b onmouseover="alert(11)">' in text
    assert "\\u202e" in text
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert _requests(browser) == [report.as_uri()]
    _screenshot(browser, f"hostile-{'nocsp' if bypass_csp else 'csp'}.png", tmp_path)
