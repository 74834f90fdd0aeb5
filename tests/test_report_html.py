"""The HTML report builder: escaping, embedded images, tables, sections, atomic writes."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from simtrial.report import HtmlReport, format_value  # noqa: E402

EVIL = '<script>alert("x")</script> & \'q\''
EVIL_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;"


def test_all_text_is_escaped() -> None:
    rep = HtmlReport(EVIL, subtitle=EVIL, footer=EVIL)
    rep.warning(EVIL, label=EVIL)
    rep.headline({EVIL: EVIL})
    rep.section(EVIL)
    rep.paragraph(EVIL)
    rep.note(EVIL)
    rep.table(pd.DataFrame({EVIL: [EVIL]}), caption=EVIL)
    rep.image_png(_png(), caption=EVIL, alt=EVIL)
    page = rep.to_html()
    assert "<script" not in page
    assert 'alert("x")' not in page
    # <title> + <h1>, subtitle, footer, banner label + text, headline key + value, toc entry,
    # section heading, paragraph, note, table column + cell + caption, image alt + caption
    assert page.count(EVIL_ESCAPED) == 17


def test_page_is_self_contained() -> None:
    rep = HtmlReport("Self-contained")
    rep.section("Figure")
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [1, 0, 1])
    rep.figure(fig, caption="A plot")
    plt.close(fig)
    page = rep.to_html()
    assert "<style>" in page
    assert "Content-Security-Policy" in page
    assert not re.search(r"<(link|script)\b", page)
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    match = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert match, "figure not embedded as a data URI"
    assert base64.b64decode(match.group(1)).startswith(b"\x89PNG\r\n\x1a\n")


def test_image_png_refuses_non_png() -> None:
    with pytest.raises(ValueError, match="PNG signature"):
        HtmlReport("x").image_png(b"GIF89a...", caption="not a png")


def test_table_formats_numbers_and_missing_values() -> None:
    df = pd.DataFrame({"n": [20, 30], "power": [0.61234, float("nan")], "arm": ["A", "B"]})
    rep = HtmlReport("Tables")
    rep.table(df, caption="Operating characteristics", number_format=".2f", missing="NA")
    rep.table(df.set_index("arm"), caption="Percent", number_format=lambda x: f"{x:.0%}", index=True)
    page = rep.to_html()
    assert "<caption>Operating characteristics</caption>" in page
    assert "<th>n</th><th>power</th><th>arm</th>" in page
    assert '<td class="num">20</td><td class="num">0.61</td><td>A</td>' in page
    assert '<td class="num">30</td><td>NA</td><td>B</td>' in page
    assert "<th>arm</th><th>n</th><th>power</th>" in page
    assert '<td>A</td><td class="num">20</td><td class="num">61%</td>' in page


def test_format_value() -> None:
    assert format_value(0.123456, ".3f") == "0.123"
    assert format_value(7, ".3f") == "7"
    assert format_value(True) == "True"
    assert format_value(None) == "–"
    assert format_value(pd.NA, missing="?") == "?"
    assert format_value("text", ".3f") == "text"


def test_sections_have_unique_ids_and_a_table_of_contents() -> None:
    rep = HtmlReport("Sections")
    rep.warning("Few replicates")
    assert rep.section("Operating characteristics") == "operating-characteristics"
    assert rep.section("Operating characteristics") == "operating-characteristics-2"
    assert rep.section("95% intervals") == "s-95-intervals"
    assert rep.section("Posterior", id="post") == "post"
    with pytest.raises(ValueError, match="already used"):
        rep.section("Again", id="post")
    with pytest.raises(ValueError, match="invalid"):
        rep.section("Bad", id='x" onclick="y')
    page = rep.to_html()
    for sid in rep.section_ids:
        assert f'<section id="{sid}">' in page
        assert f'<a href="#{sid}">' in page
    # blocks before the first section come before the table of contents
    assert page.index('class="banner warning"') < page.index('<nav class="toc"')


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    target.write_text("old report")
    rep = HtmlReport("New report")
    seen: list[tuple[str, str]] = []
    real_replace = os.replace

    def spying_replace(src, dst):
        # at the moment of the rename the old report is intact and the new one complete
        seen.append((Path(dst).read_text(), Path(src).read_text()))
        assert Path(src).parent == Path(dst).parent
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spying_replace)
    assert rep.write(target) == target
    assert seen == [("old report", rep.to_html())]
    assert target.read_text() == rep.to_html()
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("old report")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        HtmlReport("New").write(target)
    assert target.read_text() == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def _png() -> bytes:
    import io

    fig, ax = plt.subplots(figsize=(1, 1))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
