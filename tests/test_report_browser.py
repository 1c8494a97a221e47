"""The report site in a real headless Chromium (tests/chromium.py, DevTools over a pipe):

- the overview's headline block (months behind with its interval, the claim counts, the
  headline chart) lies entirely inside the first viewport at 1400x900 and at 390x844,
  measured by layout (getBoundingClientRect), and the page never scrolls sideways;
- every claim page is one click from the overview;
- every page passes axe-core's WCAG 2.0/2.1 A and AA rules and its best practices (colour
  contrast, alt text, headings, landmarks, ...), axe run inside the page;
- docs/report-overview.png (the README's screenshot) is written by this test, and only
  where the page looks different from the copy there (a few pixels of font rendering do
  not count), so a rerun leaves the checkout clean.

Where Chromium is not installed the tests are skipped with the reason (scripts/test.sh
installs it where apt can)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM_NAMES, Browser, find_chromium

VIEWPORTS = {"desktop": (1400, 900), "phone": (390, 844)}
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "report-overview.png"
SCREENSHOT_390 = SCREENSHOT.with_name("report-overview-390.png")
SCREENSHOT_TOLERANCE = 2.0
"""Mean absolute difference per channel (0-255) below which a screenshot counts as the
same page: anti-aliasing differs a little between runs and machines."""
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip(
            "no Chromium on PATH (tried " + ", ".join(CHROMIUM_NAMES) + "); "
            "scripts/test.sh installs Debian's `chromium` with apt-get where it can"
        )
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """`gaptrack report` of a small store (three measured models, a reported CSV, two
    claims of a document of its own... and the shipped claims and evidence), with the
    capability index fitted from the shipped evidence, as a user runs it."""
    from typer.testing import CliRunner

    from gaptrack.cli import app
    from gaptrack.store.store import Store
    from tests.test_gaps import record

    tmp = tmp_path_factory.mktemp("site")
    store = Store(tmp / "results")
    store.put(record("us-a", "US", [True] * 40 + [False] * 10, "arc_easy", "2024-11-01"))
    store.put(record("cn-b", "CN", [True] * 20 + [False] * 30, "arc_easy", "2024-12-01"))
    store.put(record("us-c", "US", [True] * 30 + [False] * 20, "arc_easy", "2024-12-15"))
    out = tmp / "site"
    result = CliRunner().invoke(
        app, ["report", "--results", str(tmp / "results"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = _chromium()
    b = Browser(chromium, tmp_path_factory.mktemp("profile"))
    yield b
    b.close()


LAYOUT = """(() => {
  const box = sel => { const e = document.querySelector(sel);
    if (!e) return null; const r = e.getBoundingClientRect();
    return {top: r.top, left: r.left, bottom: r.bottom, right: r.right,
            width: r.width, height: r.height, text: e.innerText}; };
  const img = document.querySelector('#headline-chart img');
  return {width: innerWidth, height: innerHeight,
          scrollWidth: document.documentElement.scrollWidth,
          months: box('#months-behind'), counts: box('#claim-counts'),
          chart: box('#headline-chart img'),
          chartLoaded: img ? img.naturalWidth > 0 : false,
          countLinks: Array.from(document.querySelectorAll('#claim-counts a'))
                        .map(a => a.getAttribute('href'))};
})()"""


def _inside(name: str, box: dict | None, width: int, height: int) -> None:
    assert box is not None, f"{name}: not on the page"
    assert box["width"] > 0 and box["height"] > 0, f"{name}: not shown: {box}"
    assert box["top"] >= 0 and box["left"] >= 0, f"{name}: starts outside the viewport: {box}"
    assert box["bottom"] <= height and box["right"] <= width, (
        f"{name}: ends below or right of the first {width}x{height} viewport: {box}"
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_headline_block_fits_the_first_viewport(site, browser, viewport):
    width, height = VIEWPORTS[viewport]
    browser.viewport(width, height)
    browser.open((site / "report.html").resolve().as_uri())
    layout = browser.evaluate(LAYOUT)
    assert (layout["width"], layout["height"]) == (width, height)
    assert layout["scrollWidth"] <= width, "the page scrolls sideways"
    for name in ("months", "counts", "chart"):
        _inside(name, layout[name], width, height)
    assert layout["chartLoaded"], "the headline chart did not load"
    months = layout["months"]["text"]
    assert "months behind" in months and "95" in months and "[" in months  # with interval
    overview = json.loads((site / "overview.json").read_text())
    lead = overview["months"][0]
    assert f"{lead['value']:.1f}" in months and f"[{lead['lo']:.1f}, {lead['hi']:.1f}]" in months
    # a count per verdict, each a link to its group on the page
    verdicts = [v["verdict"] for v in overview["verdicts"]]
    assert layout["countLinks"] == ["#verdict-" + v.replace(" ", "-") for v in verdicts]
    counts = layout["counts"]["text"]
    for v in overview["verdicts"]:
        assert f"{len(v['claims'])} {v['verdict']}" in counts
    shot = browser.screenshot()
    _keep_screenshot(shot, SCREENSHOT if viewport == "desktop" else SCREENSHOT_390)


def _keep_screenshot(png: bytes, path: Path) -> None:
    """Write the README's screenshot where it is missing or the page looks different."""
    from PIL import Image, ImageChops, ImageStat

    new = Image.open(io.BytesIO(png)).convert("RGB")
    if path.is_file():
        old = Image.open(path).convert("RGB")
        if old.size == new.size:
            diff = ImageStat.Stat(ImageChops.difference(old, new)).mean
            if max(diff) < SCREENSHOT_TOLERANCE:
                return
    if os.environ.get("GAPTRACK_NO_SCREENSHOT"):
        return  # a read-only checkout
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    new.save(buffer, format="PNG", optimize=True)
    path.write_bytes(buffer.getvalue())


def test_every_claim_page_is_one_click_from_the_overview(site, browser):
    browser.viewport(*VIEWPORTS["desktop"])
    browser.open((site / "report.html").resolve().as_uri())
    links = browser.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    prefix = (site / "claims").resolve().as_uri() + "/"
    linked = {link[len(prefix) :] for link in links if link.startswith(prefix)}
    pages = {p.name for p in (site / "claims").glob("*.html")}
    claims = json.loads((site / "overview.json").read_text())["verdicts"]
    assert pages == {f"{c}.html" for v in claims for c in v["claims"]}  # a page per claim
    assert linked == pages
    assert "c001-gap-9-to-2.html" in pages  # a stable URL, named by the claim's id


def _pages(site: Path) -> list[Path]:
    pages = sorted(site.rglob("*.html"))
    return [p for p in pages if p.name != "index.html"]  # the overview's twin, same bytes


def test_every_page_passes_axe(site, browser):
    """axe-core (the axe-core-python package's axe.min.js, no network) on every page."""
    axe_core = pytest.importorskip("axe_core_python", reason="pip install axe-core-python")
    source = (Path(axe_core.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    assert (site / "index.html").read_bytes() == (site / "report.html").read_bytes()
    options = json.dumps(
        {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    )
    failures, checked, passes = [], 0, 0
    for viewport in VIEWPORTS:
        browser.viewport(*VIEWPORTS[viewport])
        for page in _pages(site):
            browser.open(page.resolve().as_uri())
            browser.evaluate(source)
            result = browser.evaluate(
                f"axe.run(document, {options}).then(r => ({{"
                "violations: r.violations.map(v => ({id: v.id, impact: v.impact,"
                " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})),"
                " passes: r.passes.length}))",
                wait=True,
            )
            checked += 1
            passes += result["passes"]
            for v in result["violations"]:
                failures.append(f"{page.relative_to(site)} at {viewport}: {v}")
    print(f"axe-core: {checked} page views, {passes} rule passes, {len(failures)} violations")
    assert not failures, "\n".join(failures[:20])


def test_every_image_says_what_it_shows(site):
    """Alt text on every figure of every page, and it names what the figure shows (not a
    file name, not empty)."""
    import re

    for page in _pages(site):
        text = page.read_text()
        for img in re.findall(r"<img [^>]*>", text):
            alt = re.search(r'alt="([^"]*)"', img)
            assert alt is not None and len(alt.group(1)) > 40, f"{page.name}: {img}"
            assert not alt.group(1).endswith(".png")
