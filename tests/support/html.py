"""Parse luna's HTML into a small tree, so tests can find elements by CSS selector.

The selectors cover what tests need: a tag, `.class`, `#id`, `[attr]` and
`[attr=value]`, combined into compound selectors and joined by spaces
(descendant). Anything else raises, so a typo in a selector cannot pass as
"nothing found".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)

SIMPLE_SELECTOR = re.compile(
    r"""
    (?P<tag>^[a-zA-Z][a-zA-Z0-9-]*)
    | \.(?P<class>[\w-]+)
    | \#(?P<id>[\w-]+)
    | \[(?P<attr>[\w:-]+)(?:=(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\]]*)))?\]
    """,
    re.VERBOSE,
)
# Attributes whose value is a URL the browser requests or navigates to;
# `data-*-url` attributes count too (see `emitted_urls`).
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "data-widget-pending"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def has_class(self, name: str) -> bool:
        return name in self.classes

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    def has(self, name: str) -> bool:
        return name in self.attrs

    def __getitem__(self, name: str) -> str:
        value = self.attrs[name]
        return "" if value is None else value

    @property
    def text(self) -> str:
        """The element's text with runs of whitespace collapsed to one space."""

        return " ".join(self.raw_text.split())

    @property
    def raw_text(self) -> str:
        return "".join(child if isinstance(child, str) else child.raw_text for child in self.children)

    def descendants(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.descendants()

    def select(self, selector: str) -> list[Element]:
        """Every descendant matching a selector such as `li.monitor-site a[target=_blank]`."""

        steps = [_compile(part) for part in selector.split()]
        if not steps:
            raise ValueError("an empty selector matches nothing; name a tag, class or attribute")
        return [element for element in self.descendants() if _matches_path(element, steps)]

    def select_one(self, selector: str) -> Element:
        """The single element matching a selector; fails when there are none or several."""

        found = self.select(selector)
        if len(found) != 1:
            raise AssertionError(f"expected one element for {selector!r}, found {len(found)}")
        return found[0]


Condition = tuple[str, str, str | None]


def _compile(compound: str) -> list[Condition]:
    conditions: list[Condition] = []
    position = 0
    while position < len(compound):
        match = SIMPLE_SELECTOR.match(compound, position)
        if match is None or match.end() == position:
            raise ValueError(f"unsupported selector {compound!r} at {compound[position:]!r}")
        if match["tag"]:
            conditions.append(("tag", match["tag"].lower(), None))
        elif match["class"]:
            conditions.append(("class", match["class"], None))
        elif match["id"]:
            conditions.append(("attr", "id", match["id"]))
        else:
            value = match["quoted"] if match["quoted"] is not None else match["bare"]
            conditions.append(("attr", match["attr"], value))
        position = match.end()
    return conditions


def _matches(element: Element, conditions: list[Condition]) -> bool:
    for kind, name, value in conditions:
        if kind == "tag" and element.tag != name:
            return False
        if kind == "class" and not element.has_class(name):
            return False
        if kind == "attr" and (name not in element.attrs or (value is not None and element[name] != value)):
            return False
    return True


def _matches_path(element: Element, steps: list[list[Condition]]) -> bool:
    """Whether the element matches the last step and some ancestors match the earlier ones, in order."""

    if not _matches(element, steps[-1]):
        return False

    remaining = steps[:-1]
    ancestor = element.parent
    while remaining and ancestor is not None:
        if _matches(ancestor, remaining[-1]):
            remaining = remaining[:-1]
        ancestor = ancestor.parent
    return not remaining


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root
        # End tags that did not close the innermost open element.
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.current)
        self.current.children.append(element)
        if tag not in VOID_ELEMENTS:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag != self.current.tag:
            line, column = self.getpos()
            self.problems.append(f"</{tag}> at {line}:{column + 1} while <{self.current.tag}> is open")

        # Close up to the nearest open element of this name; a stray end tag is ignored.
        open_element: Element | None = self.current
        while open_element is not None and open_element.tag != tag:
            open_element = open_element.parent
        if open_element is not None and open_element.parent is not None:
            self.current = open_element.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(text: str) -> Element:
    """Parse a document or fragment; the result is a `#document` element holding it."""

    return _build(text).root


def nesting_problems(text: str) -> list[str]:
    """List end tags that do not match the open element, and elements left open.

    Browsers repair such markup silently, often by moving content out of the
    element it was written in, so luna's templates should have none.
    """

    builder = _build(text)
    unclosed = []
    element: Element | None = builder.current
    while element is not None and element is not builder.root:
        unclosed.append(f"<{element.tag}> never closed")
        element = element.parent
    return builder.problems + unclosed


def _build(text: str) -> _TreeBuilder:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder


def emitted_urls(document: Element) -> list[tuple[Element, str, str]]:
    """Every URL in the markup: link attributes and `data-*-url` attributes, as (element, attribute, value)."""

    found = []
    for element in document.descendants():
        for name, value in element.attrs.items():
            is_url = name in URL_ATTRIBUTES or (name.startswith("data-") and name.endswith("-url"))
            if is_url and value is not None:
                found.append((element, name, value))
    return found
