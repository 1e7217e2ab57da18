"""comparison.html and sweep.html in headless Chromium: each page renders its tables and
plots, logs nothing to the console, requests nothing from the network, and the comparison's
screenshot (read with Pillow, a matplotlib dependency) is not blank. Skipped without
Chromium, except in CI (CI=true), where it must run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from simulator.analysis import compare
from simulator.folders import write_comparison
from simulator.sweep import sweep
from tests.compare.helpers import tiny
from tests.scenarios import two_devices, write

pytestmark = pytest.mark.browser

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND")


def chromium() -> str:
    """The Chromium binary; skip (or fail in CI) when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is required in CI (apt-get install chromium)")
    pytest.skip("chromium not installed")


def browse(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``page`` with a fresh profile and one action."""
    args = [chromium(), *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr",
            "--v=0", *action, page.resolve().as_uri()]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """comparison.html of the tiny scenario under three variants."""
    comparison = compare(tiny(), ["pop3", "pop3-keep", "imap"], replications=2)
    return write_comparison(comparison, tmp_path_factory.mktemp("cmp") / "out") / "comparison.html"


def test_page_renders_table_and_plots_without_console_errors(page: Path,
                                                             tmp_path: Path) -> None:
    """The rendered DOM holds the metrics table and five SVG plots; nothing was logged to
    the console (no script errors, no failed resource loads)."""
    result = browse(page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert '<table class="metrics">' in dom
    assert dom.count("<svg") == 5
    assert "Which protocol?" in dom
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []


def test_screenshot_is_not_blank(page: Path, tmp_path: Path) -> None:
    """The screenshot has many colours, including the plots' first two line colours."""
    shot = tmp_path / "page.png"
    result = browse(page, tmp_path / "profile", f"--screenshot={shot}",
                    "--window-size=1280,4200")
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    with Image.open(shot) as image:
        counts = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    colours = {rgb: count for count, rgb in counts}
    assert len(colours) > 50
    assert colours.get((255, 255, 255), 0) < 0.97 * sum(colours.values())
    for hex_colour in ("1f77b4", "d62728"):
        want = tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
        assert any(all(abs(a - b) <= 12 for a, b in zip(rgb, want, strict=True))
                   for rgb in colours)


def test_page_requests_nothing_from_outside(page: Path) -> None:
    """No http(s) URL is referenced by src, href or CSS url() (SVG namespaces aside)."""
    text = page.read_text()
    refs = re.findall(r"(?:src|href)\s*=\s*[\"']?([^\"'\s>]+)|url\(([^)]*)\)", text)
    assert [r for pair in refs for r in pair if re.match(r"(?i)(https?:)?//", r)] == []


@pytest.fixture(scope="module")
def sweep_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sweep.html of pop3 against imap over two quotas and two mail rates (heat maps and
    a region map of the recommendation)."""
    tmp = tmp_path_factory.mktemp("sweep")
    text = two_devices("imap", "{cache: full}", days=1, receive="60/d",
                       extra="server: {quota: 2MB}\n")
    sweep(write(tmp, text), ["variant=pop3,imap", "server.quota=1MB,50MB",
                             "users[0].mail.receive=30/d,60/d"], replications=2,
          out=tmp / "sw")
    return tmp / "sw" / "sweep.html"


def test_sweep_page_renders_its_charts_without_console_errors(sweep_page: Path,
                                                             tmp_path: Path) -> None:
    """The sweep page's DOM holds who wins where (region map and strip), the per-point
    table and one SVG per chart drawn; nothing was logged to the console; no http(s)
    reference."""
    result = browse(sweep_page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    figures = re.findall(r'<figure id="fig-([^"]+)"', dom)
    assert figures[:2] == ["sweep-region", "sweep-wins"] and len(figures) >= 6
    assert dom.count("<svg") == len(figures)
    assert "Who wins where" in dom and "<h2>Per point</h2>" in dom
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", sweep_page.read_text())
