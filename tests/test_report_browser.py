"""The report page renders in a real headless Chromium: the screenshot is not blank and
the DOM has the page's title and its sections. Where Chromium is not installed the test
is skipped with the reason (scripts/test.sh installs it where apt can)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_publish import _findings, small  # noqa: F401  (fixture)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WINDOW = (1280, 2400)


def _chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        "no Chromium on PATH (tried " + ", ".join(CHROMIUM_NAMES) + "); "
        "scripts/test.sh installs Debian's `chromium` with apt-get where it can"
    )


def _run(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    ]
    return subprocess.run(
        [browser, *flags, *args], capture_output=True, text=True, timeout=180, check=False
    )


def test_report_renders_in_headless_chromium(small, tmp_path):  # noqa: F811
    from PIL import Image

    from gaptrack.publish.outputs import write_pages

    browser = _chromium()
    html, _ = write_pages(_findings(small), tmp_path / "out")
    url = html.resolve().as_uri()
    shot = tmp_path / "screenshot.png"
    done = _run(browser, tmp_path / "profile-shot", f"--screenshot={shot}", url)
    assert shot.is_file(), f"no screenshot (exit {done.returncode}): {done.stderr[-2000:]}"
    image = Image.open(shot).convert("L")
    assert image.size == WINDOW
    dark = sum(image.point(lambda v: 255 if v < 200 else 0).histogram()[255:])
    share = dark / (image.size[0] * image.size[1])
    assert share > 0.02, f"screenshot nearly blank: {share:.4f} of pixels are not white"
    dom = _run(browser, tmp_path / "profile-dom", "--dump-dom", url)
    assert "<title>gaptrack report: small</title>" in dom.stdout, dom.stderr[-2000:]
    for section in ('id="leaderboard"', 'id="gaps"', 'id="claims"', 'id="provenance"'):
        assert section in dom.stdout
