"""The province report: escaping, numbers in each language, optional sections, and a real render in Chromium."""

import io
import math
import os
import re
import shutil
import struct
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from dti_cli.errors import DTIError, UsageError
from dti_cli.render import report_model as report
from dti_cli.render.report_html import render_html
from dti_cli.render.report_md import render_markdown, write_report
from dti_cli.render.report_model import ReportData

NAN = math.nan

NAMES = {  # indicator -> (vi, en)
    "cqs": ("Chính quyền số", "Digital government"), "kts": ("Kinh tế số", "Digital economy"),
    "xhs": ("Xã hội số", "Digital society"), "nhan_thuc_so": ("Nhận thức số", "Digital awareness"),
    "the_che_so": ("Thể chế số", "Digital institutions"), "ha_tang_so": ("Hạ tầng số", "Digital infrastructure"),
    "nhan_luc_so": ("Nhân lực số", "Digital human resources"), "attt": ("An toàn thông tin mạng", "Cybersecurity"),
    "hd_cqs": ("Hoạt động chính quyền số", "Digital government activity"),
    "hd_kts": ("Hoạt động kinh tế số", "Digital economy activity"),
    "hd_xhs": ("Hoạt động xã hội số", "Digital society activity"),
    "nen_tang": ("Nền tảng chung", "Common foundation"), "dti": ("DTI", "DTI"),
}


def _name(node: str, lang: str) -> str:
    return NAMES[node][lang == "en"]


def quang_ninh(lang: str = "vi", **changes) -> ReportData:
    """Quảng Ninh 2022 as published (DTI 0.7024, 3rd of 63, up 4 from 7th); national and region means of 2022."""
    history = pd.DataFrame({
        "year": [2020, 2021, 2022, 2023],
        "score": [0.3897, 0.4972, 0.7024, 0.7166],
        "rank": [4.0, 7.0, 3.0, 12.0],
        "delta": [NAN, 0.1075, 0.2052, 0.0142],
        "rank_change": [NAN, -3.0, 4.0, -9.0],
        "cqs": [0.4513, NAN, 0.7804, NAN], "kts": [0.3019, NAN, 0.7187, NAN], "xhs": [0.3955, NAN, 0.6864, NAN],
        "provenance": ["hf", "derived", "official", "github"],
    })
    rows = [  # indicator, value, rank, national mean, region mean (Đồng bằng sông Hồng), provenance
        ("cqs", 0.7804, 4, 0.6467, 0.6732, "news"), ("kts", 0.7187, 9, 0.6395, 0.6733, "news"),
        ("xhs", 0.6864, 2, 0.5739, 0.5983, "news"), ("nhan_thuc_so", 0.9581, NAN, NAN, NAN, "official"),
        ("the_che_so", 0.9000, NAN, NAN, NAN, "official"), ("ha_tang_so", 0.7648, 4, 0.6168, 0.6125, "official"),
        ("nhan_luc_so", 0.6250, NAN, NAN, NAN, "official"), ("attt", 0.5382, NAN, NAN, NAN, "official"),
        ("hd_cqs", 0.8385, 3, 0.6067, 0.6532, "official"), ("hd_kts", 0.5904, 22, 0.5620, 0.6472, "official"),
        ("hd_xhs", 0.4505, 2, 0.2776, 0.3222, "official"),
    ]
    comp = pd.DataFrame(rows, columns=["indicator", "value", "rank", "national", "region_mean", "provenance"])
    comp.insert(1, "indicator_name", [_name(i, lang) for i in comp["indicator"]])
    comp.insert(6, "gap", np.round(comp["value"] - comp["national"], 12))
    # the 2021 main indices were not published: these previous values are illustrative, chosen to add up
    expl = pd.DataFrame({
        "node": ["nen_tang", "ha_tang_so", "hd_cqs", "hd_kts", "hd_xhs"],
        "parent": ["dti", "nen_tang", "dti", "dti", "dti"],
        "weight_share": [0.5, 0.1, 0.2, 0.15, 0.15],
        "prev_value": [0.52540, 0.6000, 0.6100, 0.4500, 0.3000],
        "value": [0.75713, 0.7648, 0.8385, 0.5904, 0.4505],
    })
    expl.insert(1, "node_name", [_name(n, lang) for n in expl["node"]])
    expl["delta"] = np.round(expl["value"] - expl["prev_value"], 12)
    expl["contribution"] = np.round(expl["delta"] * expl["weight_share"], 12)
    sources = pd.DataFrame({
        "source": ["S_dti_2022", "S_vietnamnet_qn2022", "S_pmnm_github", "S_hf_letrinhan", "derived_922"],
        "url": ["https://dti.gov.vn/xep-hang-2022",
                "https://vietnamnet.vn/quang-ninh-vao-top-3-dia-phuong-dan-dau-ve-chi-so-chuyen-doi-so-2165207.html",
                "https://github.com/PhamQuyNam/PMNM_HaUI.DNK_2025/blob/c24a53b1b2ad111c318cd8f5307b2080b1d786fb/"
                "HuanLuyenMoHinh/master_data_cleaned_merged.csv",
                "https://huggingface.co/datasets/letrinhan/vn-dti-provincial",
                "derived: nen_tang = (dti - 0.2*hd_cqs - 0.15*hd_kts - 0.15*hd_xhs) / 0.5"],
        "provenance": ["official", "news", "github", "hf", "derived"],
        "figures": [9, 3, 5, 4, 1],
    })
    vi = lang == "vi"
    base = dict(
        lang=lang, unit="quang-ninh", name="Quảng Ninh", year=2022, of=63,
        edition="DTI cấp tỉnh 2021–2023 (Quyết định 922/QĐ-BTTTT)" if vi else
        "Provincial DTI 2021–2023 (Decision 922/QĐ-BTTTT)",
        headline="Quảng Ninh xếp thứ 3/63 về DTI năm 2022 với 0,7024 điểm, tăng 0,2052 điểm và 4 bậc so với "
                 "năm 2021 (hạng 7); trung bình các tỉnh là 0,5787." if vi else
                 "Quảng Ninh ranked 3rd of 63 on the 2022 DTI with 0.7024, up 0.2052 and four places from 7th "
                 "in 2021; the provincial average was 0.5787.",
        history=history, components=comp, region="Đồng bằng sông Hồng",
        strengths=[_name("xhs", lang), _name("hd_xhs", lang)],
        weaknesses=[_name("hd_kts", lang), _name("kts", lang)],
        explanation=expl,
        explanation_text="DTI tăng 0,2052 điểm, phần lớn nhờ nhóm nền tảng chung (+0,1159) và hoạt động chính "
                         "quyền số (+0,0457)." if vi else
                         "The DTI rose by 0.2052, mostly from the common foundation (+0.1159) and digital "
                         "government activity (+0.0457).",
        uncertainty={"rank": 3, "median_rank": 3, "q5": 2, "q95": 5, "samples": 10000, "weight_noise": 0.2},
        method="DTI = (100 × tổng 5 chỉ số nền tảng + 200 × HĐ CQS + 150 × HĐ KTS + 150 × HĐ XHS) / 1000.\n"
               "Mỗi chỉ số chính = điểm đạt / điểm tối đa; xếp hạng kiểu thi đấu (đồng hạng chung bậc)." if vi else
               "DTI = (100 × sum of the 5 foundation indices + 200 × gov. activity + 150 × economy activity + "
               "150 × society activity) / 1000.\nEach main index = points achieved / maximum points; competition "
               "ranking (ties share the best rank).",
        sources=sources, charts={}, generated_by="dti 0.1.0", index_label="DTI",
        pillars={p: _name(p, lang) for p in ("cqs", "kts", "xhs")},
    )
    base.update(changes)
    return ReportData(**base)


def chart_svg() -> str:
    """A small DTI-by-year chart: matplotlib's SVG when matplotlib is installed, a hand-written one otherwise."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="240" viewBox="0 0 600 240">'
                '<rect x="40" y="120" width="80" height="100" fill="#0b5cad"/>'
                '<rect x="160" y="90" width="80" height="130" fill="#0b5cad"/>'
                '<rect x="280" y="40" width="80" height="180" fill="#0b5cad"/>'
                '<text x="40" y="235" font-size="14">2020 2021 2022</text></svg>')
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "dti"}):
        fig = Figure(figsize=(6.4, 2.6))
        ax = fig.add_subplot()
        ax.plot([2020, 2021, 2022, 2023], [0.3897, 0.4972, 0.7024, 0.7166], marker="o", color="#0b5cad",
                label="Quảng Ninh")
        ax.plot([2020, 2021, 2022, 2023], [0.3026, 0.4014, 0.5787, 0.6783], marker="o", color="#9aa3b2",
                label="Trung bình các tỉnh")
        ax.set_xticks([2020, 2021, 2022, 2023])
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.1f}".replace(".", ",")))
        ax.legend(frameon=False, loc="lower right")
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


# --- the document ----------------------------------------------------------------------------------------------

def test_html_is_a_complete_self_contained_document():
    page = render_html(quang_ninh(charts={"DTI theo năm": chart_svg()}))
    assert page.startswith("<!doctype html>\n<html lang=\"vi\">")
    assert '<meta charset="utf-8">' in page and page.rstrip().endswith("</html>")
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert "Quảng Ninh" in title and "2022" in title and "DTI" in title
    assert "<style>" in page and "<script" not in page.lower()
    assert not re.search(r"<link\b|\bsrc=|@import|url\((?!#)|href=\"(?!#|https?:)", page)  # nothing fetched
    for section in ("headline", "history", "components", "strengths", "explanation", "uncertainty", "charts",
                    "method", "sources"):
        assert f'<section id="{section}"' in page, section
    assert page.count("<svg") == 1 and "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert '"Noto Sans"' in page and '"DejaVu Sans"' in page and "Arial" in page


def test_data_strings_are_escaped():
    bad = "Quảng <b>&"
    d = quang_ninh(name=bad, headline=f"{bad} lên hạng 3", region=bad, strengths=[bad], weaknesses=[bad],
                   edition=bad, method=bad, explanation_text=bad, generated_by=bad,
                   sources=quang_ninh().sources.assign(source=bad, url="https://x.vn/?a=1&b=<2>"),
                   components=quang_ninh().components.assign(indicator_name=bad))
    page = render_html(d)
    assert "<b>" not in page and "&lt;b&gt;&amp;" in page
    assert 'href="https://x.vn/?a=1&amp;b=&lt;2&gt;"' in page
    md = render_markdown(d)
    assert "<b>" not in md and "&lt;b&gt;&amp;" in md


def test_vietnamese_uses_a_decimal_comma():
    page, md = render_html(quang_ninh()), render_markdown(quang_ninh())
    for text in (page, md):
        assert "0,7024" in text and "+0,2052" in text and "0,5787" in text
        assert "0.7024" not in text and "0.2052" not in text
        assert "10.000" in text  # thousands with a dot


def test_english_uses_a_decimal_point():
    page, md = render_html(quang_ninh("en")), render_markdown(quang_ninh("en"))
    for text in (page, md):
        assert "0.7024" in text and "+0.2052" in text and "0.5787" in text
        assert "0,7024" not in text
        assert "Rank 3 (90% band 2–5 over 10,000 samples)" in text
    assert '<html lang="en">' in page and "Digital society" in page


def test_gaps_are_coloured_by_sign():
    page = render_html(quang_ninh())
    assert '<td class="num pos">+0,0284</td>' in page  # hd_kts above the national mean
    assert '<td class="num neg">−0,0568</td>' in page  # and below its region's
    assert '<td class="num pos">▲4</td>' in page and '<td class="num neg">▼9</td>' in page


def test_numbers():
    f = report.format_number
    assert f(0.70243, "score", lang="vi") == "0,7024" and f(0.70243, "score", lang="en") == "0.7024"
    assert f(-0.0568, "delta", lang="en") == "−0.0568" and f(0.2052, "delta", lang="vi") == "+0,2052"
    assert f(4.0, "change", lang="vi") == "▲4" and f(-3, "change", lang="en") == "▼3"
    assert f(0, "change", lang="en") == "="
    assert f(12345, "count", lang="vi") == "12.345" and f(12345, "count", lang="en") == "12,345"
    assert f(0.2, "pct", lang="vi") == "20%" and f(0.125, "pct", lang="vi") == "12,5%"
    assert f(NAN, "score", lang="vi") == "—" and f(None, "rank", lang="en") == "—"
    assert f(pd.NA, "delta", lang="en") == "—"


def test_uncertainty_band_only_when_given():
    with_band = render_html(quang_ninh())
    assert "Hạng 3 (khoảng 90%: 2–5 qua 10.000 mẫu)" in with_band and 'class="band"' in with_band
    for text in (render_html(quang_ninh(uncertainty=None)), render_markdown(quang_ninh(uncertainty=None))):
        assert "uncertainty" not in text.split("<style>")[0] and "90%" not in text and 'class="band"' not in text


def test_optional_sections_are_left_out():
    d = quang_ninh(explanation=None, explanation_text="", uncertainty=None, charts={}, strengths=[], weaknesses=[],
                   region="")
    page = render_html(d)
    for section in ("explanation", "uncertainty", "charts", "strengths"):
        assert f'<section id="{section}"' not in page, section
    assert "TB vùng" not in page and "Chênh (vùng)" not in page
    assert 'TB cả nước' in page
    md = render_markdown(d)
    assert "## Vì sao" not in md and "## Biểu đồ" not in md and "TB vùng" not in md


def test_explanation_text_without_a_table():
    page = render_html(quang_ninh(explanation=None))
    assert '<section id="explanation"' in page and "nhờ nhóm nền tảng chung" in page
    assert "Đóng góp" not in page


def test_explanation_indents_children():
    page = render_html(quang_ninh())
    assert '<td style="padding-left:26px">Hạ tầng số</td>' in page
    assert "<td>Nền tảng chung</td>" in page


def test_empty_columns_are_dropped():
    page = render_html(quang_ninh(history=quang_ninh().history.drop(columns=["cqs"]).assign(kts=NAN)))
    # pillars are headed by the method's names (not their upper-cased ids)
    hist = page.split('<section id="history">')[1].split("</section>")[0]
    assert "<th class=\"num\">Xã hội số</th>" in hist and ">Kinh tế số<" not in hist and ">Chính quyền số<" not in hist


def test_sources_link_urls_and_explain_provenance():
    page = render_html(quang_ninh("en"))
    assert '<a href="https://dti.gov.vn/xep-hang-2022">https://dti.gov.vn/xep-hang-2022</a>' in page
    assert 'href="derived' not in page and "derived: nen_tang" in page
    for meaning in ("published on dti.gov.vn", "a public transcription of the dti.gov.vn tables",
                    "national or provincial press", "a third-party dataset", "derived from published figures"):
        assert meaning in page
    assert "computed by dti" not in page  # no computed figure is shown


def test_charts_are_inlined_without_scripts():
    svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n'
           '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
           '<rect width="10" height="10"/></svg>')
    page = render_html(quang_ninh(charts={"Hình <1>": svg}))
    assert '<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>' in page
    assert "alert" not in page and "<figcaption>Hình &lt;1&gt;</figcaption>" in page


def test_markdown_has_the_same_content():
    md = render_markdown(quang_ninh(charts={"DTI theo năm": chart_svg()}))
    assert md.startswith("# Quảng Ninh — DTI 2022\n")
    assert "| Năm | DTI | Thứ hạng |" in md and "|---|---:|---:|" in md
    assert "**2022**" in md and "Hoạt động kinh tế số" in md
    assert "<svg" not in md and "chỉ có trong bản HTML" in md and "DTI theo năm" in md
    assert "<https://dti.gov.vn/xep-hang-2022>" in md and "S\\_dti\\_2022" in md
    tables = [line for line in md.splitlines() if line.startswith("|")]
    assert all(line.endswith("|") for line in tables)


@pytest.mark.parametrize("name,start", [("r.html", "<!doctype html>"), ("r.HTM", "<!doctype html>"),
                                        ("r.md", "# Quảng Ninh")])
def test_write_report_by_suffix(tmp_path, name, start):
    write_report(tmp_path / name, quang_ninh())
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_write_report_rejects_other_suffixes(tmp_path):
    with pytest.raises(UsageError, match=r"r\.pdf.*\.html, \.htm or \.md"):
        write_report(tmp_path / "r.pdf", quang_ninh())
    assert not list(tmp_path.iterdir())


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="fr"):
        quang_ninh("fr")


# --- a real browser ---------------------------------------------------------------------------------------------

def png_is_uniform(data: bytes) -> bool:
    """Whether an 8-bit non-interlaced PNG has one colour only (decodes row by row and stops at the first change)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + n])
        elif kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + n])
        pos += 12 + n
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or interlace:
        pytest.skip(f"PNG bit depth {depth}, interlace {interlace}: not decoded here")
    bpp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    raw, stride = zlib.decompress(b"".join(idat)), width * bpp
    prev, first = np.zeros(stride, dtype=np.uint8), None
    for y in range(height):
        start = y * (stride + 1)
        filt, line = raw[start], np.frombuffer(raw, np.uint8, stride, start + 1)
        if filt == 0:
            cur = line.copy()
        elif filt == 1:
            cur = line.reshape(-1, bpp).cumsum(axis=0, dtype=np.uint8).ravel()
        elif filt == 2:
            cur = line + prev
        else:  # average and Paeth depend on the byte just decoded
            x, b, out = line.tolist(), prev.tolist(), [0] * stride
            for i in range(stride):
                a = out[i - bpp] if i >= bpp else 0
                if filt == 3:
                    out[i] = (x[i] + ((a + b[i]) >> 1)) & 255
                else:
                    c = b[i - bpp] if i >= bpp else 0
                    p = a + b[i] - c
                    pa, pb, pc = abs(p - a), abs(p - b[i]), abs(p - c)
                    out[i] = (x[i] + (a if pa <= pb and pa <= pc else b[i] if pb <= pc else c)) & 255
            cur = np.array(out, dtype=np.uint8)
        pixels = cur.reshape(width, bpp)
        first = pixels[0].copy() if first is None else first
        if (pixels != first).any():
            return False
        prev = cur
    return True


def test_png_decoder_agrees_with_matplotlib(tmp_path):
    mpl_image = pytest.importorskip("matplotlib.image")
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, size=(40, 30, 3), dtype=np.uint8)
    mpl_image.imsave(tmp_path / "noise.png", img)
    assert not png_is_uniform((tmp_path / "noise.png").read_bytes())
    mpl_image.imsave(tmp_path / "flat.png", np.full((40, 30, 3), 200, dtype=np.uint8))
    assert png_is_uniform((tmp_path / "flat.png").read_bytes())


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_report_renders_in_chromium(tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    if not os.path.exists(exe):
        pytest.skip("Chromium not installed; .ci/run installs Debian's chromium")
    charts = {"DTI theo năm": chart_svg()}
    try:  # the choropleth, as `dti report` inlines it
        from dti_cli.app import pictures
        from dti_cli.render.charts import svg_text

        charts["Bản đồ"] = svg_text(pictures.map_data(year=2022, highlight=["quang-ninh"]).figure(height=7.0))
    except DTIError:  # no matplotlib
        pass
    data = quang_ninh(charts=charts)
    page = tmp_path / "report.html"
    write_report(page, data)
    png = tmp_path / "report.png"

    def chromium(profile: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / profile}", *args, page.as_uri()],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)

    with ThreadPoolExecutor(2) as pool:
        shot = pool.submit(chromium, "shot", "--window-size=1200,1800", f"--screenshot={png}")
        dom = pool.submit(chromium, "dom", "--dump-dom")
        shot, dom = shot.result(), dom.result()
    assert shot.returncode == 0 and png.is_file() and png.stat().st_size > 0, shot.stderr[-2000:]
    assert not png_is_uniform(png.read_bytes()), "the screenshot is blank"
    assert dom.returncode == 0, dom.stderr[-2000:]
    title = re.search(r"<title>(.*?)</title>", dom.stdout, re.S)
    assert title and "Quảng Ninh" in title.group(1) and "DTI 2022" in title.group(1), dom.stdout[:500]
    assert "<h1>Quảng Ninh" in dom.stdout and "0,7024" in dom.stdout
    if "Bản đồ" in charts:  # the map's shapes reach the page with their ids and hover texts
        assert re.search(r'<g id="quang-ninh"><title>Quảng Ninh: 0,7024, hạng 3</title>', dom.stdout)
        assert len(re.findall(r'<g id="[a-z-]+"><title>', dom.stdout)) == 63 + 2


def test_a_year_without_weights_says_why_its_change_is_not_split(run, tmp_path, monkeypatch):
    monkeypatch.setenv("DTI_HOME", str(tmp_path / "store"))
    out = tmp_path / "r.md"
    assert run("report", "ha-noi", "--year", "2024", "--samples", "0", "--lang", "en", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    assert "2024: Decision 405/QD-BKHCN does not publish its weights" in text
    assert "components are not in the published data" not in text
