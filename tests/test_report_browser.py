"""Reports render in headless Chromium: a non-blank screenshot and a DOM with sections and images."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from simtrial.report import ChromiumError, HtmlReport, dump_dom, find_chromium, render  # noqa: E402

needs_chromium = pytest.mark.skipif(find_chromium() is None,
                                    reason="needs the Debian package 'chromium' (/usr/bin/chromium)")

WIDTH, HEIGHT = 1280, 1400
BANNER_RGB = (0xFF, 0xF4, 0xE5)  # .banner.warning background in simtrial/report/html.py


@pytest.fixture
def report_html(tmp_path: Path) -> Path:
    rep = HtmlReport("Sirolimus single-arm design", subtitle="browser test")
    rep.warning("Only 200 replicates: Monte Carlo error about 3 percentage points.")
    rep.headline({"Power": 0.812, "Type I error": 0.048}, number_format=".3f")
    rep.section("Operating characteristics", id="oc")
    rep.table(pd.DataFrame({"n": [20, 30, 40], "power": [0.61, 0.74, 0.81]}),
              caption="Power by sample size", number_format=".2f")
    rep.section("Figures", id="figures")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([20, 30, 40], [0.61, 0.74, 0.81], marker="o")
    ax.set_xlabel("patients")
    ax.set_ylabel("power")
    rep.figure(fig, caption="Power curve")
    plt.close(fig)
    return rep.write(tmp_path / "report.html")


@pytest.mark.slow
@needs_chromium
def test_render_screenshot_is_not_blank(report_html: Path, tmp_path: Path) -> None:
    from PIL import Image

    png = render(report_html, tmp_path / "shots" / "report.png", width=WIDTH, height=HEIGHT)
    print(f"\nscreenshot: {png}")
    assert png.is_file() and png.stat().st_size > 10_000
    with Image.open(png) as im:
        assert im.size == (WIDTH, HEIGHT)
        pixels = np.asarray(im.convert("RGB"), dtype=float)
    assert pixels.std() > 10, "screenshot is (nearly) a single colour"
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 100
    # the banner's CSS was applied: a sizeable block of its background colour
    banner = np.all(np.abs(pixels - BANNER_RGB) <= 2, axis=-1)
    assert banner.sum() > 5_000


@pytest.mark.slow
@needs_chromium
def test_dumped_dom_has_sections_banner_and_embedded_image(report_html: Path) -> None:
    dom = dump_dom(report_html)
    for sid in ("oc", "figures"):
        assert f'<section id="{sid}">' in dom
        assert f'href="#{sid}"' in dom
    assert 'class="banner warning"' in dom
    assert '<img src="data:image/png;base64,' in dom
    assert "<caption>Power by sample size</caption>" in dom


def test_missing_chromium_is_a_clear_error(report_html: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMTRIAL_CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert find_chromium() is None
    with pytest.raises(ChromiumError, match="install the Debian package 'chromium'"):
        render(report_html, tmp_path / "x.png")
    with pytest.raises(ChromiumError, match="install the Debian package 'chromium'"):
        dump_dom(report_html)


def _fake_chromium(tmp_path: Path, body: str) -> str:
    exe = tmp_path / "fake-chromium"
    exe.write_text(f"#!/bin/sh\n{body}\n")
    exe.chmod(0o755)
    return str(exe)


def test_hung_chromium_is_killed_after_timeout(report_html: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMTRIAL_CHROMIUM", _fake_chromium(tmp_path, "sleep 60 & sleep 60"))
    with pytest.raises(ChromiumError, match="did not finish within 0.5 s"):
        dump_dom(report_html, timeout=0.5)


def test_failing_chromium_reports_its_stderr(report_html: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMTRIAL_CHROMIUM", _fake_chromium(tmp_path, "echo 'GPU process exploded' >&2; exit 3"))
    with pytest.raises(ChromiumError, match=r"status 3:\nGPU process exploded"):
        render(report_html, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
