"""Balance user-supplied HTML before it goes into the page, so it stays inside its widget.

A custom-api template's output, an extension's HTML and an html widget's
`source` are placed into luna's markup as they are. A browser reads the page
as one document: a `<div>` the fragment leaves open becomes the parent of the
widgets after it, and a `</div>` with nothing to close inside the fragment
closes luna's own container instead. `balance_html` closes the elements a
fragment leaves open, at its end and innermost first, and drops end tags
that close nothing opened inside it. Everything else is kept byte for byte.

Whether an element is still open is decided as a browser's tree builder
decides it, by the HTML standard's "in body" and table rules. So `<p>` closes
at the next block, `<li>` at the next `<li>` and a cell at the next cell or
row. Void elements never open, and `<div/>` opens a div while `<path/>` inside
`<svg>` is closed at once. An end tag reaches only as far as its scope, and
bold or italic text closed by another element's end tag is reopened at the
next text. html.parser supplies the tokens and their positions.

NOTE: the model follows the usual outcome of the standard's adoption agency
algorithm for misnested formatting tags, not its loop limits, so rare tag soup
(such as a second <nobr> around a <select> in a table) can still let bold or
a link run on into the next widget's text. A `<plaintext>` start tag turns the
rest of the page into text, and no end tag stops it. Python 3.11's html.parser
reads `<!-->` as the start of a comment where browsers read an empty comment,
so the tags after it up to the next `-->` are not counted.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Collection
from dataclasses import dataclass
from html.parser import HTMLParser

logger = logging.getLogger(__name__)

HTML, SVG, MATHML = "html", "svg", "math"

VOID_ELEMENTS = frozenset(
    {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen", "link",
     "meta", "param", "source", "track", "wbr"}
)
# Browsers read the text of these up to their own end tag; tags inside are text.
RAW_TEXT_ELEMENTS = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript")
# Elements reopened by the browser at the next text when another element's end tag closed them.
FORMATTING_ELEMENTS = frozenset({"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"})
# The standard's "special" category: an end tag for an ordinary element stops looking at these.
SPECIAL_ELEMENTS = frozenset(
    {"address", "applet", "area", "article", "aside", "base", "basefont", "bgsound", "blockquote", "body", "br",
     "button", "caption", "center", "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "embed",
     "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6",
     "head", "header", "hgroup", "hr", "html", "iframe", "img", "input", "keygen", "li", "link", "listing", "main",
     "marquee", "menu", "meta", "nav", "noembed", "noframes", "noscript", "object", "ol", "p", "param", "plaintext",
     "pre", "script", "search", "section", "select", "source", "style", "summary", "table", "tbody", "td",
     "template", "textarea", "tfoot", "th", "thead", "title", "tr", "track", "ul", "wbr", "xmp"}
)
# Elements at which an end tag stops searching for its open element. The HTML
# standard does not list `select`, but browsers parse its content by two sets of
# rules (older ones ignore most tags there), and dropping an end tag that crosses
# it is safe under both.
SCOPE_BOUNDARIES = frozenset({"applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "select"})
# SVG and MathML elements whose content is HTML again; they bound scopes too.
INTEGRATION_POINTS = {SVG: frozenset({"foreignobject", "desc", "title"}), MATHML: frozenset({"mi", "mo", "mn", "ms", "mtext", "annotation-xml"})}
# Closing one of these clears the browser's list of active formatting elements back to its marker.
MARKER_ELEMENTS = frozenset({"applet", "object", "marquee", "template", "td", "th", "caption"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Start tags that first close an open <p>.
CLOSES_PARAGRAPH = frozenset(
    {"address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset",
     "figcaption", "figure", "footer", "header", "hgroup", "main", "menu", "nav", "ol", "p", "search", "section",
     "summary", "ul", "pre", "listing", "form", "plaintext", "table", "hr", "xmp", "li", "dd", "dt", *HEADINGS}
)
# Elements whose end tag HTML lets an author leave out; an open one at the end is no fault.
OPTIONAL_END_TAGS = frozenset(
    {"p", "li", "dd", "dt", "option", "optgroup", "rb", "rp", "rt", "rtc", "tbody", "thead", "tfoot", "tr", "td", "th",
     "colgroup", "caption"}
)
# Start tags a browser ignores inside a page's body.
IGNORED_START_TAGS = frozenset({"html", "head", "body", "frameset", "frame"})
TABLE_ELEMENTS = frozenset({"table", "caption", "colgroup", "tbody", "thead", "tfoot", "tr", "td", "th"})
# The table elements each table part may sit directly in; the browser closes the others first.
TABLE_PART_PARENTS = {
    "caption": frozenset({"table"}),
    "colgroup": frozenset({"table"}),
    "col": frozenset({"table", "colgroup"}),
    "tbody": frozenset({"table"}),
    "thead": frozenset({"table"}),
    "tfoot": frozenset({"table"}),
    "tr": frozenset({"table", "tbody", "thead", "tfoot"}),
    "td": frozenset({"table", "tbody", "thead", "tfoot", "tr"}),
    "th": frozenset({"table", "tbody", "thead", "tfoot", "tr"}),
}
# HTML start tags that end SVG or MathML content.
FOREIGN_BREAKOUT_TAGS = frozenset(
    {"b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "h1", "h2",
     "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p", "pre",
     "ruby", "s", "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var"}
)
# How much of an unfinished tag a warning quotes.
QUOTED_TAIL = 40


@dataclass(frozen=True)
class Tag:
    """A start or end tag of the fragment, with its 1-based line and column."""

    name: str
    line: int
    column: int

    @property
    def place(self) -> str:
        return f"line {self.line}, column {self.column}"


@dataclass(frozen=True)
class Unfinished:
    """A tag or comment still open where the fragment ends, which would run on into luna's markup."""

    # "unfinished tag", "unclosed comment" or "unfinished comment".
    kind: str
    text: str
    start: Tag
    # Whether luna dropped the construct, as a browser drops an unfinished tag at the end of a document, instead of ending it.
    dropped: bool

    def describe(self) -> str:
        quoted = self.text if len(self.text) <= QUOTED_TAIL else self.text[:QUOTED_TAIL] + "…"
        action = "luna dropped it" if self.dropped else "luna ended it"
        return f"the {self.kind} {quoted!r} ({self.start.place}) runs to the end, so {action}"


@dataclass(frozen=True)
class BalancedHtml:
    """A fragment made safe to place in the page, with what had to change."""

    html: str
    # Elements left open and closed at the end, outermost first. Those whose
    # end tag HTML lets an author omit, such as <p> and <li>, are closed too but not listed.
    unclosed: tuple[Tag, ...] = ()
    # End tags that closed nothing opened in the fragment, dropped.
    stray: tuple[Tag, ...] = ()
    unfinished: Unfinished | None = None

    @property
    def problem_keys(self) -> frozenset[str]:
        """One key per kind of fault and tag name, without positions, so a refresh repeating a fault has the same keys."""

        keys = {f"<{tag.name}> unclosed" for tag in self.unclosed} | {f"</{tag.name}> stray" for tag in self.stray}
        if self.unfinished is not None:
            keys.add(self.unfinished.kind)
        return frozenset(keys)

    def describe(self) -> str:
        """Say what was unbalanced and what luna did about it, in one line."""

        parts = []
        if self.unclosed:
            names = ", ".join(f"<{tag.name}> ({tag.place})" for tag in self.unclosed)
            pronoun = "them" if len(self.unclosed) > 1 else "it"
            parts.append(f"{names} never closed, so luna closed {pronoun} at the end")
        if self.stray:
            names = ", ".join(f"</{tag.name}> ({tag.place})" for tag in self.stray)
            pronoun = "them" if len(self.stray) > 1 else "it"
            parts.append(f"{names} closed nothing opened before, so luna dropped {pronoun}")
        if self.unfinished is not None:
            parts.append(self.unfinished.describe())
        return "; ".join(parts)


@dataclass(frozen=True)
class _OpenElement:
    tag: Tag
    namespace: str

    @property
    def name(self) -> str:
        return self.tag.name

    @property
    def is_html(self) -> bool:
        return self.namespace == HTML

    def is_(self, names: Collection[str]) -> bool:
        return self.is_html and self.name in names

    @property
    def is_integration_point(self) -> bool:
        return self.name in INTEGRATION_POINTS.get(self.namespace, frozenset())

    @property
    def is_special(self) -> bool:
        return self.is_(SPECIAL_ELEMENTS) or self.is_integration_point

    @property
    def bounds_scope(self) -> bool:
        return self.is_(SCOPE_BOUNDARIES) or self.is_integration_point


class _OpenElements:
    """The browser's stack of open elements, as far as the fragment's own tags decide it."""

    def __init__(self) -> None:
        self.stack: list[_OpenElement] = []

    @property
    def current(self) -> _OpenElement | None:
        return self.stack[-1] if self.stack else None

    def push(self, tag: Tag, namespace: str) -> None:
        self.stack.append(_OpenElement(tag, namespace))

    def find_in_scope(self, names: Collection[str], extra_boundaries: Collection[str] = ()) -> int | None:
        """Return the index of the innermost open HTML element named in `names`, unless a scope boundary comes first."""

        for index in range(len(self.stack) - 1, -1, -1):
            element = self.stack[index]
            if element.is_(names):
                return index
            if element.bounds_scope or element.is_(extra_boundaries):
                return None
        return None

    def find_in_table_scope(self, names: Collection[str]) -> int | None:
        for index in range(len(self.stack) - 1, -1, -1):
            element = self.stack[index]
            if element.is_(names):
                return index
            if element.is_({"table", "template", "html"}):
                return None
        return None

    def close_from(self, index: int) -> None:
        """Close the element at `index` and everything opened inside it.

        Formatting elements closed this way are reopened at the next text. When
        the element is a cell, caption or other marker, the browser clears its
        list of active formatting elements back to the innermost marker closed
        with it, so only those opened before that marker are reopened.
        """

        closed = self.stack[index:]
        del self.stack[index:]
        inside = closed[1:]
        if closed[0].is_(MARKER_ELEMENTS):
            markers = [position for position, element in enumerate(inside) if element.is_(MARKER_ELEMENTS)]
            inside = inside[: markers[-1]] if markers else []
        self._reopen(inside)

    def clear_above(self, index: int) -> None:
        """Close everything opened inside the element at `index`, as a table does before it takes a new part."""

        closed = self.stack[index + 1 :]
        del self.stack[index + 1 :]
        self._reopen(closed)

    def _reopen(self, closed: list[_OpenElement]) -> None:
        """Keep open the formatting elements among those just closed, because the browser reopens them at the next text."""

        self.stack.extend(element for element in closed if element.is_(FORMATTING_ELEMENTS))

    def close_paragraph(self) -> None:
        index = self.find_in_scope({"p"}, extra_boundaries=("button",))
        if index is not None:
            self.close_from(index)

    def close_list_item(self, names: Collection[str]) -> None:
        """Close an open list item of these names before a new one, looking past only address, div and p."""

        for index in range(len(self.stack) - 1, -1, -1):
            element = self.stack[index]
            if element.is_(names):
                self.close_from(index)
                return
            if element.is_special and not element.is_({"address", "div", "p"}):
                return

    def nearest_table_element(self) -> int | None:
        for index in range(len(self.stack) - 1, -1, -1):
            element = self.stack[index]
            if element.is_(TABLE_ELEMENTS):
                return index
            if element.is_({"template"}):
                return None
        return None


class _FragmentParser(HTMLParser):
    """Feeds html.parser's tokens into `_OpenElements` and records which end tags to drop."""

    CDATA_CONTENT_ELEMENTS = RAW_TEXT_ELEMENTS

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=False)
        self.fragment = fragment
        self.line_starts = [0] + [index + 1 for index, character in enumerate(fragment) if character == "\n"]
        self.elements = _OpenElements()
        self.stray: list[Tag] = []
        # (start, end) of each dropped end tag. An end tag ends where the next token starts.
        self.dropped_spans: list[tuple[int, int]] = []
        self._dropping_from: int | None = None
        # Where an unfinished tag or comment at the very end begins. Tokens from there on are ignored.
        self.tail_offset: int | None = None

    def run(self) -> None:
        self.feed(self.fragment)
        # What html.parser keeps unparsed after feed() is a construct that never
        # ends, unless it is the text of an unclosed <script> or the like.
        if self.rawdata.startswith("<") and self.cdata_elem is None:
            self.tail_offset = self._offset()
        self.close()
        self._end_dropped_span(len(self.fragment) if self.tail_offset is None else self.tail_offset)

    def tag_at(self, name: str, offset: int) -> Tag:
        line = bisect.bisect_right(self.line_starts, offset)
        return Tag(name, line, offset - self.line_starts[line - 1] + 1)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _token(self) -> int | None:
        """Note that a token starts here; return its offset, or None when it belongs to the unfinished tail."""

        offset = self._offset()
        self._end_dropped_span(offset)
        if self.tail_offset is not None and offset >= self.tail_offset:
            return None
        return offset

    def _end_dropped_span(self, offset: int) -> None:
        if self._dropping_from is not None:
            self.dropped_spans.append((self._dropping_from, offset))
            self._dropping_from = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        offset = self._token()
        if offset is not None:
            _start_tag(self.elements, self.tag_at(tag, offset), self_closing=False, attrs=attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        offset = self._token()
        if offset is None:
            return

        opened = _start_tag(self.elements, self.tag_at(tag, offset), self_closing=True, attrs=attrs)
        # Browsers ignore the slash of <script/> and read what follows as script.
        if opened is not None and opened.is_(RAW_TEXT_ELEMENTS):
            self.set_cdata_mode(tag)

    def handle_endtag(self, tag: str) -> None:
        offset = self._token()
        if offset is None:
            return
        # html.parser accepts `</ div>`; browsers read it as a comment.
        first = self.fragment[offset + 2 : offset + 3]
        if not (first.isascii() and first.isalpha()):
            return

        end_tag = self.tag_at(tag, offset)
        if not _end_tag(self.elements, end_tag):
            self.stray.append(end_tag)
            self._dropping_from = offset

    def _other_token(self, content: str) -> None:
        self._token()

    # Text, comments, declarations and character references open and close nothing.
    handle_data = handle_comment = handle_decl = handle_pi = unknown_decl = _other_token
    handle_entityref = handle_charref = _other_token


def _start_tag(elements: _OpenElements, tag: Tag, self_closing: bool, attrs: list[tuple[str, str | None]]) -> _OpenElement | None:
    """Apply a start tag to the open elements; return the element it opened, if it stays open."""

    current = elements.current
    if current is not None and not current.is_html and not current.is_integration_point:
        if not _breaks_out_of_foreign(tag.name, attrs):
            return _open_foreign(elements, tag, current.namespace, self_closing)
        while elements.current is not None and not elements.current.is_html and not elements.current.is_integration_point:
            elements.stack.pop()

    name = "img" if tag.name == "image" else tag.name
    if name in IGNORED_START_TAGS:
        return None
    if name in TABLE_PART_PARENTS:
        return _open_table_part(elements, tag)
    # A <select> inside an open one closes it and opens nothing.
    open_select = elements.find_in_scope({"select"}) if name == "select" else None
    if open_select is not None:
        elements.close_from(open_select)
        return None

    _close_before_start(elements, name)
    if name in (SVG, MATHML):
        return _open_foreign(elements, tag, name, self_closing)
    if name in VOID_ELEMENTS:
        return None
    # The slash of <div/> means nothing on an HTML element: the div stays open.
    elements.push(tag, HTML)
    return elements.current


def _breaks_out_of_foreign(name: str, attrs: list[tuple[str, str | None]]) -> bool:
    if name == "font":
        return any(attribute in ("color", "face", "size") for attribute, _ in attrs)
    return name in FOREIGN_BREAKOUT_TAGS


def _open_foreign(elements: _OpenElements, tag: Tag, namespace: str, self_closing: bool) -> _OpenElement | None:
    # Inside SVG and MathML a trailing slash closes the element at once.
    if self_closing:
        return None
    elements.push(tag, namespace)
    return elements.current


def _close_before_start(elements: _OpenElements, name: str) -> None:
    """Close what a browser closes before it opens an element of this name."""

    current = elements.current
    if current is not None and current.is_({"colgroup"}) and name not in ("col", "template"):
        elements.stack.pop()
    # A table may hold another table only inside a cell or caption; elsewhere the new one closes it.
    if name == "table":
        nearest = elements.nearest_table_element()
        if nearest is not None and not elements.stack[nearest].is_({"td", "th", "caption"}):
            table = elements.find_in_table_scope({"table"})
            if table is not None:
                elements.close_from(table)

    if name == "li":
        elements.close_list_item({"li"})
    elif name in ("dd", "dt"):
        elements.close_list_item({"dd", "dt"})
    if name in CLOSES_PARAGRAPH:
        elements.close_paragraph()

    current = elements.current
    if name in HEADINGS and current is not None and current.is_(HEADINGS):
        elements.stack.pop()
    elif name in ("a", "nobr"):
        _close_formatting_before_marker(elements, name)
    elif name == "button":
        index = elements.find_in_scope({"button"})
        if index is not None:
            elements.close_from(index)
    elif name in ("option", "optgroup") and current is not None and current.is_({"option"}):
        elements.stack.pop()
    elif name == "input":
        # Older browsers close a select at <textarea> and <keygen> too, newer ones not; an extra </select> is harmless.
        index = elements.find_in_scope({"select"})
        if index is not None:
            elements.close_from(index)


def _close_formatting_before_marker(elements: _OpenElements, name: str) -> None:
    """Close the <a> (or <nobr>) still open since the last cell or other marker, as a second one does."""

    for index in range(len(elements.stack) - 1, -1, -1):
        element = elements.stack[index]
        if element.is_(MARKER_ELEMENTS):
            return
        if element.is_({name}):
            _close_formatting(elements, index)
            return


def _open_table_part(elements: _OpenElements, tag: Tag) -> _OpenElement | None:
    """Open a caption, column, row section, row or cell, closing the table parts it cannot sit in.

    Outside a table browsers ignore these tags. The row groups and rows that a
    browser adds on its own, such as the <tbody> around a <tr> written straight
    in a <table>, are not tracked. The table's end tag closes them, and an end
    tag for one of them is dropped, which changes nothing.
    """

    parents = TABLE_PART_PARENTS[tag.name]
    while True:
        index = elements.nearest_table_element()
        if index is None:
            return None
        if elements.stack[index].name in parents:
            break
        elements.close_from(index)

    elements.clear_above(index)
    if tag.name == "col":
        return None
    elements.push(tag, HTML)
    return elements.current


def _end_tag(elements: _OpenElements, tag: Tag) -> bool:
    """Apply an end tag to the open elements; return False when it closes nothing opened in the fragment."""

    name = tag.name
    current = elements.current
    if current is not None and not current.is_html:
        closed = _end_foreign(elements, name)
        if closed is not None:
            return closed

    # Browsers read </br> as <br>, so it is kept though it closes nothing.
    if name == "br":
        return True
    if name in FORMATTING_ELEMENTS:
        return _end_formatting(elements, name)
    if name in ("tbody", "thead", "tfoot", "tr", "td", "th", "caption", "table"):
        return _close_if_found(elements, elements.find_in_table_scope({name}))
    if name == "colgroup":
        if current is not None and current.is_({"colgroup"}):
            elements.stack.pop()
            return True
        return False
    if name in ("body", "html"):
        return False
    if name == "p":
        return _close_if_found(elements, elements.find_in_scope({"p"}, extra_boundaries=("button",)))
    if name == "li":
        return _close_if_found(elements, elements.find_in_scope({"li"}, extra_boundaries=("ol", "ul")))
    if name in HEADINGS:
        return _close_if_found(elements, elements.find_in_scope(HEADINGS))
    if name in SPECIAL_ELEMENTS:
        return _close_if_found(elements, elements.find_in_scope({name}))
    return _end_ordinary(elements, name)


def _close_if_found(elements: _OpenElements, index: int | None) -> bool:
    if index is None:
        return False
    elements.close_from(index)
    return True


def _end_foreign(elements: _OpenElements, name: str) -> bool | None:
    """Close the SVG or MathML element of this name; None when an HTML element comes first and HTML rules apply."""

    for index in range(len(elements.stack) - 1, -1, -1):
        element = elements.stack[index]
        if element.is_html:
            return None
        if element.name == name:
            del elements.stack[index:]
            return True
    return False


def _end_ordinary(elements: _OpenElements, name: str) -> bool:
    """Apply an end tag such as </span>, which closes the nearest element of its name unless a special element comes first."""

    for index in range(len(elements.stack) - 1, -1, -1):
        element = elements.stack[index]
        if element.is_({name}):
            elements.close_from(index)
            return True
        if element.is_special:
            return False
    return False


def _end_formatting(elements: _OpenElements, name: str) -> bool:
    """Apply an end tag such as </b>, which browsers handle with the standard's adoption agency algorithm."""

    for index in range(len(elements.stack) - 1, -1, -1):
        element = elements.stack[index]
        if element.is_({name}):
            if any(above.bounds_scope for above in elements.stack[index + 1 :]):
                return False
            _close_formatting(elements, index)
            return True
        if element.is_(MARKER_ELEMENTS):
            break
    return _end_ordinary(elements, name)


def _close_formatting(elements: _OpenElements, index: int) -> None:
    """Close a formatting element and what is inside it as the adoption agency algorithm does.

    Blocks opened inside it (special elements) stay open, moved out of it.
    Formatting elements inside it stay open in effect, because the browser
    reopens them. Ordinary elements such as <span> inside it are closed.
    """

    inside = elements.stack[index + 1 :]
    del elements.stack[index:]
    elements.stack.extend(element for element in inside if element.is_special or element.is_(FORMATTING_ELEMENTS))


def _unfinished(parser: _FragmentParser, offset: int) -> tuple[Unfinished | None, str]:
    """Classify what html.parser left unparsed at the end; return it and the text that ends it.

    A lone `<` is text to browsers, and harmless before luna's next tag.
    """

    tail = parser.fragment[offset:]
    start = parser.tag_at("", offset)
    if tail.startswith("<!--"):
        return Unfinished("unclosed comment", tail, start, dropped=False), "-->"
    opener = tail[2:3] if tail.startswith("</") else tail[1:2]
    if opener.isascii() and opener.isalpha():
        return Unfinished("unfinished tag", tail, start, dropped=True), ""
    if tail != "<":
        # Browsers read `<!x`, `<?x` and `</` without a letter after it as a comment that the next `>` ends.
        return Unfinished("unfinished comment", tail, start, dropped=False), ">"
    return None, ""


def balance_html(fragment: str) -> BalancedHtml:
    """Close the elements a fragment leaves open and drop its end tags that close nothing inside it."""

    parser = _FragmentParser(fragment)
    parser.run()

    pieces, cursor = [], 0
    for start, end in parser.dropped_spans:
        pieces.append(fragment[cursor:start])
        cursor = end

    unfinished, ending = (None, "") if parser.tail_offset is None else _unfinished(parser, parser.tail_offset)
    if unfinished is not None and unfinished.dropped:
        pieces.append(fragment[cursor : parser.tail_offset])
    else:
        pieces.append(fragment[cursor:])
    pieces.append(ending)

    open_elements = parser.elements.stack
    pieces.extend(f"</{element.name}>" for element in reversed(open_elements))
    unclosed = tuple(element.tag for element in open_elements if not element.is_(OPTIONAL_END_TAGS))
    return BalancedHtml("".join(pieces), unclosed, tuple(parser.stray), unfinished)


class HtmlBalancer:
    """Balances one widget's HTML on every refresh and warns once for each distinct fault.

    `source` names the HTML in the warning, such as "template output".
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._reported: set[str] = set()

    def balance(self, fragment: str, widget_label: str) -> str:
        balanced = balance_html(fragment)
        keys = balanced.problem_keys
        if keys - self._reported:
            logger.warning("%s: unbalanced HTML in the %s: %s", widget_label, self.source, balanced.describe())
            self._reported |= keys
        return balanced.html
