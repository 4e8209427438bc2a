"""Balanced user HTML in Chromium: what follows a fragment stays outside it, and balancing changes nothing shown.

The fragments are placed in a page the way luna places a widget's HTML: inside
a container with more markup after it.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from luna.widgets.user_html import balance_html

pytestmark = pytest.mark.browser

# Fragments whose HTML needs no change, or only end tags that the end of a document would imply.
WELL_FORMED = [
    '<div class="flex"><span>unclosed',
    "<ul>\n  <li><div>a\n",
    "<p>one<p>two",
    "<p>text<div>block</div>",
    "<ul><li>a<li>b</ul><p>c",
    "<ul><li>a<li>b",
    "<dl><dt>a<dd>b<dt>c</dl>",
    "<table><tr><td>a<td>b<tr><th>c</table>",
    "<table><tr><td>a<td>b",
    "<table><tr><td><b>x</td></tr></table>x",
    '<br><img alt=""><hr><input>',
    "<div/>text",
    '<svg viewBox="0 0 24 24"><path d="M0 0h24"/></svg>',
    '<svg viewBox="0 0 24 24"><path d="M0 0h24"></svg><p>after</p>',
    '<svg viewBox="0 0 24 24"><path d="M0 0h24">',
    "<svg><foreignObject><div>in</div></foreignObject><g><div>out",
    '<script>let html = "</div>";</script>',
    "<script>if (a < b) {",
    "<style>.a > .b { color: red }</style><div>x",
    "<textarea><div>typed</textarea>",
    "<!-- </div> --><div title=\"a > b\">x",
    "<div>a<!-- note",
    "<div><b>bold</div>",
    "<b><i>x</b>y",
    "<b>1<div>2</b>3</div>",
    "<b>1<div>2<span>3</b>4",
    "<div><span><em>x</div><p>y</p>",
    "<h2>a<h3>b</h2>",
    "<select><option>a<option>b",
    "<select><option>a<select><option>b",
    "<a href=\"#1\">one<a href=\"#2\">two",
    "<button>a<button>b",
    "<table><div>foster<tr><td>cell",
    "<table><caption>c<tr><td>x",
    "<table><colgroup><col><tr><td>x",
    "<object><div>x",
    "<template><div>x",
    "<form><div>x",
    "<details><summary>s</summary><p>x",
]
# Fragments with end tags that close nothing opened in them, or an unfinished tag at the end.
MALFORMED = [
    "<p>a</p></div><p>b</p>",
    "</div></div></div><p>lost</p>",
    "<div><table><tr><td>x</div>",
    "<span><div>x</span></div>",
    "<p>text<div>block</div></p>",
    "<div><select><option>a</div>",
    "<div>a</section></ul></table>",
    "<html><head></head><body><p>x</p></body></html>",
    '<p>ok</p><a href="https://example.com/x>link</a>',
    "x</",
    "x<!",
    "<div>a</ div>b",
]

# Pieces of random tag soup: elements of every kind the balancer treats apart, their end tags, and text.
SOUP = [
    "<div>", "</div>", "<p>", "</p>", "<span>", "</span>", "<b>", "</b>", "<i>", "</i>", "<a href='#'>", "</a>",
    "<ul>", "</ul>", "<li>", "</li>", "<dl>", "<dt>", "<dd>", "</dl>", "<h2>", "</h2>", "<h3>", "</h3>",
    "<table>", "</table>", "<tbody>", "</tbody>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "<caption>", "</caption>",
    "<colgroup>", "<col>", "<svg>", "</svg>", "<path d='M0'>", "<path/>", "<g>", "</g>", "<foreignObject>",
    "</foreignObject>", "<math>", "<mi>", "</math>", "<button>", "</button>", "<select>", "</select>", "<option>",
    "</option>", "<section>", "</section>", "<form>", "</form>", "<object>", "</object>", "<template>", "</template>",
    "<nobr>", "<em>", "</em>", "<strong>", "</strong>", "<code>", "</code>", "<font color=red>", "</font>", "<pre>",
    "<br>", "</br>", "<img>", "<hr>", "<div/>", "<p/>", "<script>a<b</script>", "<style>p>a{}</style>",
    "<!-- </div> -->", "<textarea>x</textarea>", "<div title=\"a>b\">", "x", "y ",
]
# Fixed, so every run checks the same fragments.
SOUP_SEED = 20
SOUP_FRAGMENTS = 300


# The page around a fragment: a widget's container, and a widget after it.
PAGE = '<!DOCTYPE html><body><div id="widget"><div id="content">{fragment}</div></div><div id="after"><p id="next">after</p></div></body>'
LAYOUT = """() => ({
  widget: document.getElementById("widget").parentElement.tagName,
  widgetChildren: document.getElementById("widget").childElementCount,
  nextToWidget: document.getElementById("widget").nextElementSibling?.id,
  after: document.getElementById("after")?.parentElement.tagName,
  next: document.getElementById("next")?.innerHTML,
})"""
# The widget holds only its container and the next widget follows it, so nothing of the fragment leaked beside
# the container or between the widgets, and the next widget is intact.
CONTAINED = {"widget": "BODY", "widgetChildren": 1, "nextToWidget": "after", "after": "BODY", "next": "after"}


def layout(page: Page, fragment: str) -> dict[str, str | int]:
    page.set_content(PAGE.format(fragment=fragment))
    return page.evaluate(LAYOUT)


def content_at_document_end(page: Page, fragment: str) -> str:
    """The DOM a fragment makes when nothing follows it, where the end of the document closes what it left open."""

    page.set_content(f'<!DOCTYPE html><body><div id="content">{fragment}')
    return page.evaluate('document.getElementById("content").innerHTML')


def test_raw_fragments_mostly_escape(new_page: Callable[..., Page]) -> None:
    page = new_page()

    escaping = [fragment for fragment in WELL_FORMED + MALFORMED if layout(page, fragment) != CONTAINED]

    # Without balancing, most of these fragments move what follows them; this keeps the cases meaningful.
    assert len(escaping) > len(WELL_FORMED + MALFORMED) // 2


def test_balanced_fragments_stay_inside(new_page: Callable[..., Page]) -> None:
    page = new_page()

    escaping = [fragment for fragment in WELL_FORMED + MALFORMED if layout(page, balance_html(fragment).html) != CONTAINED]

    assert escaping == []


def test_balancing_keeps_what_is_shown(new_page: Callable[..., Page]) -> None:
    page = new_page()

    changed = []
    for fragment in WELL_FORMED:
        page.set_content(PAGE.format(fragment=balance_html(fragment).html))
        balanced = page.evaluate('document.getElementById("content").innerHTML')
        if balanced != content_at_document_end(page, fragment):
            changed.append(fragment)

    assert changed == []


def test_balanced_tag_soup_stays_inside(new_page: Callable[..., Page]) -> None:
    page = new_page()
    pieces = random.Random(SOUP_SEED)
    fragments = ["".join(pieces.choices(SOUP, k=pieces.randint(1, 12))) for _ in range(SOUP_FRAGMENTS)]

    escaping = [fragment for fragment in fragments if layout(page, balance_html(fragment).html) != CONTAINED]

    assert escaping == []
