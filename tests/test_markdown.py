"""The Markdown pipeline: anchors, rendering, sanitising, link rewriting, problems."""

import re

import pytest

from app.markdown import TocEntry, markdown_problems, render_markdown, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Điều 1 — Định nghĩa", "dieu-1-dinh-nghia"),
        ("Đạo đức, lối sống", "dao-duc-loi-song"),
        ("  Ứng xử với cấp trên!  ", "ung-xu-voi-cap-tren"),
        ("Kiểm tra &amp; giám sát", "kiem-tra-giam-sat"),
        ("— ? —", "muc"),
    ],
)
def test_slugify_gives_readable_vietnamese_anchors(title, slug):
    assert slugify(title) == slug


def test_slugify_uses_the_separator():
    assert slugify("Đạo đức, lối sống", "_") == "dao_duc_loi_song"


def test_headings_get_ids_and_a_toc_of_levels_2_and_3():
    text = "## Điều 1 — Định nghĩa\n\n### Đạo đức, lối sống\n\n#### Chi tiết\n"
    rendered = render_markdown(text)
    assert '<h2 id="md-dieu-1-dinh-nghia">Điều 1 — Định nghĩa</h2>' in rendered.html
    assert '<h3 id="md-dao-duc-loi-song">' in rendered.html
    assert rendered.toc == [
        TocEntry(level=2, anchor="md-dieu-1-dinh-nghia", title="Điều 1 — Định nghĩa"),
        TocEntry(level=3, anchor="md-dao-duc-loi-song", title="Đạo đức, lối sống"),
    ]


def test_toc_titles_are_plain_text():
    rendered = render_markdown("## Kiểm tra & **giám sát** <i>\n")
    assert rendered.toc[0].title == "Kiểm tra & giám sát <i>"
    assert rendered.toc[0].anchor == "md-kiem-tra-giam-sat-i"


def test_input_is_nfc_normalised():
    decomposed = "Đa\u0323o đư\u0301c"  # "Đạo đức" with combining marks
    assert "Đạo đức" in render_markdown(decomposed).html


def test_tables_render_with_align_not_style():
    text = "| Nhóm | Số |\n|:--|--:|\n| 4 xin | 4 |\n"
    html = render_markdown(text).html
    assert "<table>" in html and "<th" in html and "<td" in html
    assert 'align="right"' in html
    assert "style=" not in html


def test_admonition_renders_with_its_classes():
    text = '!!! note "Khác biệt"\n    Hai kế hoạch khác nhau.\n'
    html = render_markdown(text).html
    assert '<div class="admonition note">' in html
    assert '<p class="admonition-title">Khác biệt</p>' in html


def test_script_in_the_source_is_text_not_a_tag():
    html = render_markdown("Trước\n\n<script>alert(1)</script>\n\nSau").html
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_lose_their_href():
    html = render_markdown("[bấm](javascript:alert(1))").html
    assert "javascript:" not in html
    assert "bấm" in html


def test_event_handlers_in_raw_html_do_not_survive():
    html = render_markdown("<img src=x onerror=alert(1)>").html
    assert "<img" not in html  # the whole tag is text: "&lt;img … onerror=…&gt;"
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_event_handlers_on_images_are_dropped():
    html = render_markdown('![Sơ đồ](a.png){: onerror="alert(1)" }').html
    assert "onerror" not in html
    assert '<img alt="Sơ đồ" src="a.png">' in html


def test_event_handlers_from_attr_list_are_dropped():
    html = render_markdown('Đoạn văn.\n{: onclick="x" style="color:red" .lead }').html
    assert "onclick" not in html
    assert "style" not in html
    assert 'class="md-lead"' in html  # kept, prefixed: no class of the page's own


def test_raw_inline_html_is_escaped():
    html = render_markdown("chữ <b>đậm</b>").html
    assert "<b>" not in html
    assert "&lt;b&gt;đậm&lt;/b&gt;" in html


def test_level_1_heading_keeps_its_text_without_the_tag():
    html = render_markdown("# Tiêu đề\n").html
    assert "<h1" not in html and "Tiêu đề" in html


def test_link_resolver_rewrites_relative_links_and_images():
    seen = []

    def resolve(url):
        seen.append(url)
        return {"03-x.md#muc": "/modules/M3#muc", "images/a.png": "/media/a.png"}.get(
            url
        )

    text = (
        "[Mô-đun 3](03-x.md#muc) ![Sơ đồ](images/a.png) [khác](khac.md) "
        "[web](https://example.org) [gốc](/a) [mục](#muc) <thu@example.org>"
    )
    html = render_markdown(text, resolve).html
    assert seen == ["03-x.md#muc", "images/a.png", "khac.md"]
    assert 'href="/modules/M3#md-muc"' in html  # the anchor's prefixed id
    assert 'src="/media/a.png"' in html
    assert 'href="khac.md"' in html  # None leaves the URL as it was
    assert 'href="https://example.org"' in html
    assert 'href="mailto:thu@example.org"' in html


def test_each_render_is_independent():
    first = render_markdown("## Một\n")
    second = render_markdown("## Hai\n")
    assert [e.anchor for e in first.toc] == ["md-mot"]
    assert [e.anchor for e in second.toc] == ["md-hai"]


def test_a_resolver_serves_its_render_only_even_when_it_fails():
    def failing(url):
        raise ValueError(url)

    with pytest.raises(ValueError):
        render_markdown("[a](a.md)", failing)
    assert 'href="a.md"' in render_markdown("[a](a.md)").html
    assert 'href="/b"' in render_markdown("[a](a.md)", lambda url: "/b").html


def test_a_resolver_may_render_markdown_itself():
    def titled(url):
        return "/" + render_markdown(f"## {url}").toc[0].anchor

    rendered = render_markdown("## Mục\n\n[a](a.md) [b](b.md)\n", titled)
    assert 'href="/md-a-md"' in rendered.html and 'href="/md-b-md"' in rendered.html
    assert [e.anchor for e in rendered.toc] == ["md-muc"]


def test_threads_render_side_by_side():
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"## Mục {i}\n\n[x](x{i}.md)\n" for i in range(200)]
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda t: render_markdown(t, lambda u: "/" + u), texts))
    for i, rendered in enumerate(done):
        assert [e.anchor for e in rendered.toc] == [f"md-muc-{i}"]
        assert f'href="/x{i}.md"' in rendered.html


PROBLEM_TEXT = """\
## Mục

Dòng có <span>HTML</span>.
Một chú thích[^1].
```
<div>trong khối mã: bỏ qua</div>
```
!!! caution "Sai loại"
!!! tip "Đúng loại"
??? note "Chi tiết"
# Tiêu đề cấp 1
Giá trị {{ bien }} và {% if %}.
Xem [[Trang khác]].
Mã `<b>` và a < b, <https://example.org> đều được.
"""


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (3, "HTML thô không được phép (raw HTML)"),
        (4, "chú thích cuối trang không được hỗ trợ"),
        (5, "khối mã không được hỗ trợ"),
        (8, "loại admonition không hợp lệ"),
        (10, "cú pháp ??? không được hỗ trợ"),
        (11, "không dùng tiêu đề cấp 1 (tiêu đề lấy từ front matter)"),
        (12, "cú pháp mẫu {{ }} không được hỗ trợ"),
        (13, "liên kết kiểu wiki không được hỗ trợ"),
    ],
)
def test_markdown_problems_finds_each_kind_on_its_line(line, message):
    assert (line, message) in markdown_problems(PROBLEM_TEXT)


def test_markdown_problems_reports_nothing_else():
    assert len(markdown_problems(PROBLEM_TEXT)) == 8


def test_markdown_problems_finds_setext_level_1_headings():
    assert markdown_problems("Tiêu đề\n=======\n") == [
        (1, "không dùng tiêu đề cấp 1 (tiêu đề lấy từ front matter)")
    ]


def test_supported_markdown_has_no_problems():
    text = (
        "## Mục\n\n- **đậm** và *nghiêng*\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        '!!! warning "Lưu ý"\n    Nội dung.\n\n### Mục con {: #rieng }\n'
    )
    assert markdown_problems(text) == []


def test_author_ids_and_classes_cannot_take_the_pages_own():
    """An id or class set with {: #… .… } or a heading's anchor never equals one the
    attempt page or its script uses (q3, state-3, timer, question…); admonitions keep
    the classes the stylesheet draws."""
    text = (
        "## Q3\n\nĐoạn\n{: #timer .question .save-state }\n\n"
        'Xem [câu](#q3).\n\n!!! note "Lưu ý"\n    nội dung\n'
    )
    html = render_markdown(text).html
    ids = re.findall(r'id="([^"]*)"', html)
    classes = {
        c for value in re.findall(r'class="([^"]*)"', html) for c in value.split()
    }
    assert ids == ["md-q3", "md-timer"]
    assert classes == {
        "md-question",
        "md-save-state",
        "admonition",
        "note",
        "admonition-title",
    }
    assert 'href="#md-q3"' in html
