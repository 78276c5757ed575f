"""parse_mode as Telegram applies it in the sandbox: the markup leaves the text and becomes entities
(offsets in UTF-16 units), so the page shows a table as a table, not `<pre>` tags."""

from __future__ import annotations

from bot.sandbox.markup import apply, from_html, from_markdown_v2


def test_html_becomes_entities() -> None:
    text, entities = from_html("📊 <b>Thống kê</b>\n<pre>Cơ quan  3</pre> &lt;x&gt; "
                               '<a href="https://t.me/c/1/2">chủ đề</a>')
    assert text == "📊 Thống kê\nCơ quan  3 <x> chủ đề"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 8},  # 📊 counts two UTF-16 units, and a space
        {"type": "pre", "offset": 12, "length": 10},
        {"type": "text_link", "offset": 27, "length": 6, "url": "https://t.me/c/1/2"},
    ]


def test_a_pre_with_a_language_and_nested_marks() -> None:
    text, entities = from_html('<pre><code class="language-python">x = 1</code></pre><b>a<i>b</i></b>')
    assert text == "x = 1ab"
    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"},
                        {"type": "bold", "offset": 5, "length": 2}, {"type": "italic", "offset": 6, "length": 1}]


def test_markdown_v2_marks_and_escapes() -> None:
    text, entities = from_markdown_v2(r"*đậm* _nghiêng_ `mã` \*không\* [liên kết](https://example.org)")
    assert text == "đậm nghiêng mã *không* liên kết"
    assert [e["type"] for e in entities] == ["bold", "italic", "code", "text_link"]


def test_no_parse_mode_leaves_the_text_as_it_is() -> None:
    assert apply("<b>x</b>", None) == ("<b>x</b>", None)
