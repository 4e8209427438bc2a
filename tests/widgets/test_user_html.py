"""Balancing user-supplied HTML: what stays as written, what is closed at the end, what is dropped.

The browser test tests/browser/test_user_html.py places the same kinds of
fragments in a real page and checks that what follows them stays outside.
"""

from __future__ import annotations

import logging

import pytest

from luna.widgets.user_html import HtmlBalancer, Tag, balance_html


def test_unclosed_elements_closed_innermost_first() -> None:
    balanced = balance_html('<div class="flex"><span>unclosed')

    assert balanced.html == '<div class="flex"><span>unclosed</span></div>'
    assert balanced.unclosed == (Tag("div", 1, 1), Tag("span", 1, 19))


def test_balanced_fragment_unchanged() -> None:
    fragment = '<div class="list">\n  <a href="/x?a=1&amp;b=2" title=\'say "hi"\'>Link</a>\n</div>\n'

    balanced = balance_html(fragment)

    assert balanced.html == fragment
    assert balanced.problem_keys == frozenset()


def test_nested_unclosed_elements_on_several_lines() -> None:
    fragment = "<ul>\n  <li><div class=\"flex\">\n    <strong>a</strong>\n"

    balanced = balance_html(fragment)

    assert balanced.html == fragment + "</div></li></ul>"
    assert balanced.unclosed == (Tag("ul", 1, 1), Tag("div", 2, 7))


def test_void_elements_never_closed() -> None:
    fragment = '<br><img src="a.png" alt=""><hr><input type="checkbox"><wbr><meta charset="utf-8">'

    assert balance_html(fragment).html == fragment


def test_self_closing_html_element_stays_open() -> None:
    # Browsers ignore the slash on HTML elements, so <div/> opens a div.
    balanced = balance_html("<div/>text")

    assert balanced.html == "<div/>text</div>"


def test_self_closing_svg_children_closed() -> None:
    fragment = '<svg viewBox="0 0 24 24"><path d="M0 0h24"/><circle r="2"/></svg>'

    assert balance_html(fragment).html == fragment


def test_unclosed_svg_child_closed_by_svg() -> None:
    fragment = '<svg viewBox="0 0 24 24"><path d="M0 0h24"></svg><p>after</p>'

    balanced = balance_html(fragment)

    assert balanced.html == fragment
    assert balanced.problem_keys == frozenset()


def test_paragraphs_closed_implicitly() -> None:
    assert balance_html("<p>one<p>two").html == "<p>one<p>two</p>"


def test_paragraph_closed_by_block() -> None:
    balanced = balance_html("<p>text<div>block</div>")

    assert balanced.html == "<p>text<div>block</div>"
    assert balanced.problem_keys == frozenset()


def test_paragraph_end_after_block_dropped() -> None:
    # The div closed the paragraph; a browser would turn this </p> into an empty paragraph.
    balanced = balance_html("<p>text<div>block</div></p>")

    assert balanced.html == "<p>text<div>block</div>"
    assert balanced.stray == (Tag("p", 1, 24),)


def test_list_items_closed_implicitly() -> None:
    fragment = "<ul><li>a<li>b</ul>"

    assert balance_html(fragment).html == fragment


def test_open_list_items_closed_once() -> None:
    balanced = balance_html("<ul><li>a<li>b")

    assert balanced.html == "<ul><li>a<li>b</li></ul>"
    # Only the list is a fault: HTML lets a list item's end tag be left out.
    assert balanced.unclosed == (Tag("ul", 1, 1),)


def test_definition_terms_closed_implicitly() -> None:
    fragment = "<dl><dt>a<dd>b<dt>c</dl>"

    assert balance_html(fragment).html == fragment


def test_table_cells_closed_implicitly() -> None:
    fragment = "<table><tr><td>a<td>b<tr><th>c</table>"

    assert balance_html(fragment).html == fragment


def test_unclosed_table_closed_with_its_cell() -> None:
    balanced = balance_html("<table><tr><td>a<td>b")

    assert balanced.html == "<table><tr><td>a<td>b</td></tr></table>"
    assert balanced.unclosed == (Tag("table", 1, 1),)


def test_cell_outside_table_ignored() -> None:
    # Browsers ignore <td> outside a table, so its end tag closes nothing.
    balanced = balance_html("<div><td>x</td></div>")

    assert balanced.html == "<div><td>x</div>"


def test_end_tag_does_not_cross_cell() -> None:
    # </div> cannot reach the div outside the cell, so a browser would close luna's container with it.
    balanced = balance_html("<div><table><tr><td>x</div>")

    assert balanced.html == "<div><table><tr><td>x</td></tr></table></div>"
    assert balanced.stray == (Tag("div", 1, 22),)


def test_ordinary_end_tag_stops_at_block() -> None:
    # </span> stops at the div opened inside the span, so both stay open.
    balanced = balance_html("<span><div>x</span></div>")

    assert balanced.html == "<span><div>x</div></span>"
    assert balanced.stray == (Tag("span", 1, 13),)


def test_end_tag_closes_elements_inside() -> None:
    fragment = "<div><span><em>x</div><p>after</p>"

    balanced = balance_html(fragment)

    # The em stays open in effect: browsers reopen formatting elements at the next text.
    assert balanced.html == fragment + "</em>"


def test_heading_end_tag_closes_any_heading() -> None:
    fragment = "<h2>a<h3>b</h2>"

    assert balance_html(fragment).html == fragment


def test_misnested_formatting_closed() -> None:
    balanced = balance_html("<b><i>x</b>y")

    assert balanced.html == "<b><i>x</b>y</i>"


def test_formatting_end_tag_keeps_block_open() -> None:
    # The browser moves the div out of the <b> and keeps it open, so </div> still closes it.
    fragment = "<b>1<div>2</b>3</div>"

    assert balance_html(fragment).html == fragment


def test_formatting_left_open_in_block() -> None:
    # Unclosed, the <b> would be reopened at the text after the widget.
    assert balance_html("<div><b>bold</div>").html == "<div><b>bold</div></b>"


def test_formatting_forgotten_after_cell() -> None:
    fragment = "<table><tr><td><b>x</td></tr></table>"

    assert balance_html(fragment).html == fragment


def test_script_text_not_parsed() -> None:
    fragment = '<script>document.body.insertAdjacentHTML("beforeend", "</div><div>");</script>'

    balanced = balance_html(fragment)

    assert balanced.html == fragment
    assert balanced.problem_keys == frozenset()


def test_style_text_not_parsed() -> None:
    fragment = "<style>.list > li:not(:first-child) { margin-top: 1rem; } /* </div> */</style><ul class=\"list\"></ul>"

    assert balance_html(fragment).html == fragment


def test_textarea_text_not_parsed() -> None:
    fragment = "<textarea><div>typed</textarea>"

    assert balance_html(fragment).html == fragment


def test_unclosed_script_closed() -> None:
    balanced = balance_html("<script>if (a < b) {")

    assert balanced.html == "<script>if (a < b) {</script>"
    assert balanced.unclosed == (Tag("script", 1, 1),)


def test_self_closing_script_reads_script() -> None:
    balanced = balance_html("<script/>let html = '</div>';")

    assert balanced.html == "<script/>let html = '</div>';</script>"


def test_comments_not_parsed() -> None:
    fragment = "<!-- <div> and </div> --><p>x</p><!---->"

    balanced = balance_html(fragment)

    assert balanced.html == fragment
    assert balanced.problem_keys == frozenset()


def test_unclosed_comment_ended() -> None:
    balanced = balance_html("<div>a<!-- note")

    assert balanced.html == "<div>a<!-- note--></div>"
    assert balanced.unfinished is not None
    assert balanced.unfinished.kind == "unclosed comment"


def test_stray_end_tags_dropped() -> None:
    balanced = balance_html("<p>a</p></div>\n<p>b</p></section></span>c")

    assert balanced.html == "<p>a</p>\n<p>b</p>c"
    assert balanced.stray == (Tag("div", 1, 9), Tag("section", 2, 9), Tag("span", 2, 19))


def test_stray_end_tag_with_spaces_dropped() -> None:
    assert balance_html("a</div\n>b").html == "ab"


def test_break_end_tag_kept() -> None:
    # Browsers read </br> as a line break.
    balanced = balance_html("a</br>b")

    assert balanced.html == "a</br>b"
    assert balanced.stray == ()


def test_end_tag_with_space_after_slash_kept() -> None:
    # `</ div>` is a comment to browsers, so it closes nothing.
    fragment = "<div>a</ div>b"

    assert balance_html(fragment).html == fragment + "</div>"


def test_greater_than_inside_quotes() -> None:
    fragment = "<div title=\"a > b\" data-x='</div>'><span data-y=\"<p>\">x</span></div>"

    balanced = balance_html(fragment)

    assert balanced.html == fragment
    assert balanced.problem_keys == frozenset()


def test_greater_than_inside_quotes_unclosed() -> None:
    balanced = balance_html('<div title="a > b">x')

    assert balanced.html == '<div title="a > b">x</div>'


def test_unfinished_tag_dropped() -> None:
    # The open quote would run on into luna's markup up to its next quote.
    balanced = balance_html('<p>ok</p><a href="https://example.com/x>link</a>')

    assert balanced.html == "<p>ok</p>"
    assert balanced.unfinished is not None
    assert balanced.unfinished.kind == "unfinished tag"
    assert balanced.unfinished.dropped is True


def test_lone_end_tag_opener_ended() -> None:
    assert balance_html("x</").html == "x</>"


def test_lone_less_than_kept() -> None:
    assert balance_html("a <").html == "a <"


def test_document_tags_dropped() -> None:
    balanced = balance_html("<html><head><style>p {}</style></head><body><p>x</p></body></html>")

    assert balanced.html == "<html><head><style>p {}</style><body><p>x</p>"
    assert [tag.name for tag in balanced.stray] == ["head", "body", "html"]


def test_nested_select_closes_outer() -> None:
    balanced = balance_html("<select><option>a<select><option>b")

    assert balanced.html == "<select><option>a<select><option>b</option>"


def test_end_tag_does_not_cross_select() -> None:
    balanced = balance_html("<div><select><option>a</div>")

    assert balanced.html == "<div><select><option>a</option></select></div>"


def test_uppercase_tags_matched() -> None:
    fragment = "<DIV><Span>x</SPAN>"

    assert balance_html(fragment).html == fragment + "</div>"


def test_describe_names_tags_and_places() -> None:
    balanced = balance_html("<div>\n</span><section>")

    assert balanced.describe() == (
        "<div> (line 1, column 1), <section> (line 2, column 8) never closed, so luna closed them at the end; "
        "</span> (line 2, column 1) closed nothing opened before, so luna dropped it"
    )


def test_problem_keys_ignore_positions() -> None:
    first = balance_html("<div>a")
    second = balance_html("text\n\n  <div>b")

    assert first.problem_keys == second.problem_keys


WIDGET = 'custom-api "NAS"'


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "luna.widgets.user_html"]


def test_balancer_warns_naming_widget(caplog: pytest.LogCaptureFixture) -> None:
    balancer = HtmlBalancer("template output")

    with caplog.at_level(logging.WARNING):
        html = balancer.balance("<div>x", WIDGET)

    assert html == "<div>x</div>"
    assert warnings(caplog) == [
        'custom-api "NAS": unbalanced HTML in the template output: '
        "<div> (line 1, column 1) never closed, so luna closed it at the end"
    ]


def test_balancer_warns_once_per_problem(caplog: pytest.LogCaptureFixture) -> None:
    balancer = HtmlBalancer("template output")

    with caplog.at_level(logging.WARNING):
        balancer.balance("<div>x", WIDGET)
        balancer.balance("<p>y</p>\n<div>x", WIDGET)

    assert len(warnings(caplog)) == 1


def test_balancer_warns_about_new_problem(caplog: pytest.LogCaptureFixture) -> None:
    balancer = HtmlBalancer("template output")

    with caplog.at_level(logging.WARNING):
        balancer.balance("<div>x", WIDGET)
        balancer.balance("<div>x</span>", WIDGET)

    assert len(warnings(caplog)) == 2
    assert "</span> (line 1, column 7)" in warnings(caplog)[1]


def test_balancer_silent_for_balanced_html(caplog: pytest.LogCaptureFixture) -> None:
    balancer = HtmlBalancer("template output")

    with caplog.at_level(logging.WARNING):
        balancer.balance("<ul><li>a<li>b</ul><p>c", WIDGET)

    assert warnings(caplog) == []
