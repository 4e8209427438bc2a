"""The classes of Glance's community templates have rules in luna's stylesheet.

The CSS bundle that luna serves must define every class that a published
template writes in a `class` attribute, also inside `{{ if }}` branches and
through a variable set to a literal. The exceptions are classes the template
styles in its own <style> block and the classes listed below, which Glance
does not style either.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from luna.web.assets import CSS_BUNDLE, StaticAssets

COMMUNITY_WIDGETS = Path(__file__).resolve().parents[1] / "fixtures" / "community-widgets"
FILES = sorted(COMMUNITY_WIDGETS.glob("*.yml")) if COMMUNITY_WIDGETS.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason="the community widget collection is not present")

# Glance classes without a rule of their own: hooks that Glance's scripts look
# for, or states they set. luna's collapsible.js finds lists by
# data-collapse-after and hides the items past the limit with `hidden`.
# carousel.js reads .carousel-items-container. Glance's fade-in of lazy
# images (loaded, finished-transition) has no counterpart in luna. server-name
# is only a name in Glance's server-stats markup.
GLANCE_SCRIPT_CLASSES = {
    "carousel-items-container",
    "collapsible-container",
    "collapsible-item",
    "finished-transition",
    "loaded",
    "server-name",
}

# Classes the template authors made up. Glance's stylesheet does not define
# them, so they change nothing in Glance either. They are names from Tailwind
# and Bootstrap, misspellings of Glance's names (collapsible-contain,
# list-with-seperator), steps that Glance's scales lack (gap-1, margin-top-12),
# and names of a template's own that it never styles.
TEMPLATE_OWN_CLASSES = {
    # Tailwind and Bootstrap names
    "absolute", "alert", "alert-danger", "alert-error", "alert-success", "alert-warning", "align-center", "border",
    "card-body", "flex-col", "flex-row", "grid", "grid-cols-2", "h-10", "inline-flex", "justify-start", "mb-2", "p-2",
    "pr-2", "text-danger", "text-gray-400", "text-green-500", "text-info", "text-success", "w-10",
    # Misspelt or made-up variants of Glance's names
    "collapsible-contain", "color-dim", "color-info", "color-secondary", "color-subtle", "color-warning",
    "cursor-pointer", "gap-1", "gap-4", "justify", "list-gap-3", "list-gap-15", "list-horizontal", "list-item",
    "list-with-seperator", "margin-block-4", "margin-top-12", "margin-top-14", "negative-color", "padding-10",
    "padding-left-24", "radius-8", "size-4", "size-6", "size-small", "text-large", "text-small", "text-truncate-2",
    # Names of one template, for its own scripts, icon fonts or nothing
    "background-faint", "card-content", "debug-info", "device-info", "football-fixtures", "github-repos",
    "horizontal-cards-2", "icon", "list-gap-10-cup", "lucide", "lucide-box", "lucide-database", "lucide-network",
    "media-server-thumbnail", "no-bullets-komodo-servers", "opensky-aircraft-stats", "separator", "stack",
    "status-dot", "steam-user-stats",
}

CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(["'])""")
ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.DOTALL)
# Actions that write nothing, so the text on either side of them is whole class names.
SILENT_ACTION = re.compile(r"^(?:if|else|end|range|with|break|continue|/\*)\b")
VARIABLE = re.compile(r"^\$\w+$")
STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
SELECTOR = re.compile(r"([^{};]*)\{")
CLASS_SELECTOR = re.compile(r"\.(-?[A-Za-z_][\w-]*)")


def class_attributes(text: str) -> list[str]:
    """Return the values of the class attributes in a template, template actions included.

    A quote inside an action, as in `{{ if eq .State "up" }}`, does not end the value.
    """

    values = []
    for match in CLASS_ATTRIBUTE.finditer(text):
        quote, position, depth = match.group(1), match.end(), 0
        while position < len(text):
            if text.startswith("{{", position):
                depth, position = depth + 1, position + 2
            elif text.startswith("}}", position):
                depth, position = depth - 1, position + 2
            elif text[position] == quote and depth == 0:
                break
            else:
                position += 1
        values.append(text[match.end() : position])
    return values


def template_classes(text: str) -> set[str]:
    """Return the whole class names a template writes: literal ones, and literals set to a variable it writes.

    Names joined to the output of an action (`status-{{ .State }}`) are left out, since only the data completes them.
    """

    names: set[str] = set()
    for value in class_attributes(text):
        marked = ACTION.sub(lambda action: " " if SILENT_ACTION.match(action.group(1)) else "\0", value)
        names.update(token for token in marked.split() if "\0" not in token)

        for action in ACTION.finditer(value):
            variable = action.group(1)
            if VARIABLE.match(variable):
                for literal in re.findall(rf"{re.escape(variable)}\s*:?=\s*\"([^\"]*)\"", text):
                    names.update(literal.split())
    return names


def selector_classes(css: str) -> set[str]:
    """Return every class name that a selector of the stylesheet mentions."""

    names: set[str] = set()
    for selector in SELECTOR.findall(COMMENT.sub("", css)):
        if not selector.strip().startswith("@"):
            names.update(CLASS_SELECTOR.findall(selector))
    return names


def own_style_classes(text: str) -> set[str]:
    return {name for block in STYLE_BLOCK.findall(text) for name in selector_classes(block)}


def corpus_classes() -> dict[str, set[str]]:
    """Return each class the corpus uses without styling it itself, with the files that use it."""

    used: dict[str, set[str]] = defaultdict(set)
    for path in FILES:
        text = path.read_text()
        for name in template_classes(text) - own_style_classes(text):
            used[name].add(path.name)
    return used


def luna_classes() -> set[str]:
    return selector_classes(StaticAssets().files[CSS_BUNDLE].body.decode())


def test_template_classes_include_branches() -> None:
    text = '<a class="flex {{ if .Up }}color-positive{{ else }}color-negative{{ end }} status-{{ .State }}"></a>'

    assert template_classes(text) == {"flex", "color-positive", "color-negative"}


def test_template_classes_through_variable() -> None:
    text = '{{ $tone := "color-subdue" }}{{ if .Up }}{{ $tone = "color-positive" }}{{ end }}<p class="{{ $tone }}"></p>'

    assert template_classes(text) == {"color-subdue", "color-positive"}


def test_corpus_classes_found() -> None:
    used = corpus_classes()

    assert "dynamic-columns" in used
    assert "list-gap-8" in used
    assert "progress-bar-combined" in used


def test_corpus_classes_defined_in_css() -> None:
    used = corpus_classes()
    missing = set(used) - luna_classes() - GLANCE_SCRIPT_CLASSES - TEMPLATE_OWN_CLASSES

    assert sorted(f"{name} (in {', '.join(sorted(used[name]))})" for name in missing) == []


def test_listed_classes_still_used() -> None:
    listed = GLANCE_SCRIPT_CLASSES | TEMPLATE_OWN_CLASSES

    assert sorted(listed - set(corpus_classes())) == []


def test_listed_classes_not_defined() -> None:
    # A listed class that luna's CSS defines is a Glance class after all: take it off the list.
    assert sorted((GLANCE_SCRIPT_CLASSES | TEMPLATE_OWN_CLASSES) & luna_classes()) == []


# Glance's utility classes: each does one thing, and Glance defines them after
# its blocks so that they win over a block on the same element.
UTILITY_CLASS = re.compile(
    r"^(?:flex|flex-[\w-]+|block|inline-block|grow|shrink(?:-0)?|min-width-0|max-width-100|height-100|overflow-hidden"
    r"|relative|rounded|object-cover|uppercase|break-all|rtl|cursor-help|pointer-events-none|scale-half|hide-scrollbars"
    r"|(?:margin|padding|gap|text|color|size|font|justify|items|self|list-gap)-[\w-]+)$"
)
# A rule for elements of one or more classes alone, such as `:where(scope) :where(.flex)`.
SINGLE_CLASS_RULE = re.compile(r":where\((\.[\w-]+(?:,\s*\.[\w-]+)*)\)$")
CUSTOM_API_CSS = Path(__file__).resolve().parents[2] / "luna" / "static" / "css" / "widgets" / "custom-api.css"


def style_rules(css: str) -> list[tuple[str, list[str]]]:
    """Return each style rule's selector list and the properties it sets, in order, also inside @container and @media."""

    rules: list[tuple[str, list[str]]] = []
    text = COMMENT.sub("", css)
    prelude_start = 0
    depth_preludes: list[str] = []
    for position, character in enumerate(text):
        if character == "{":
            depth_preludes.append(text[prelude_start:position].strip())
            prelude_start = position + 1
        elif character == "}":
            prelude = depth_preludes.pop()
            body = text[prelude_start:position]
            if not prelude.startswith("@"):
                properties = [declaration.split(":", 1)[0].strip() for declaration in body.split(";") if ":" in declaration]
                rules.append((prelude, properties))
            prelude_start = position + 1
    return rules


def single_classes(selector_list: str) -> list[str]:
    """Return the classes a rule styles alone, one per selector that targets elements by one class."""

    names = []
    for selector in selector_list.split(",\n"):
        match = SINGLE_CLASS_RULE.search(" ".join(selector.split()))
        if match and not any(combinator in selector for combinator in ">+~"):
            names.extend(name.strip().lstrip(".") for name in match.group(1).split(","))
    return names


def test_style_rules_read_container_queries() -> None:
    css = "/* x */ .a { color: red; gap: 1px }\n@container c (min-width: 1px) { .b { margin: 0 } }"

    assert style_rules(css) == [(".a", ["color", "gap"]), (".b", ["margin"])]


def test_utilities_come_after_blocks() -> None:
    """A utility sits after every block rule that sets the same property, so it wins on the same element, as in Glance."""

    rules = style_rules(CUSTOM_API_CSS.read_text())
    styled = [
        (index, name, css_property)
        for index, (selector, properties) in enumerate(rules)
        for name in single_classes(selector)
        for css_property in properties
    ]
    utilities = [(index, name, css_property) for index, name, css_property in styled if UTILITY_CLASS.match(name)]
    blocks = [(index, name, css_property) for index, name, css_property in styled if not UTILITY_CLASS.match(name)]

    late_blocks = sorted(
        {
            f".{utility} comes before .{block}, which also sets {css_property}"
            for utility_index, utility, css_property in utilities
            for block_index, block, block_property in blocks
            if block_property == css_property and block_index > utility_index
        }
    )
    assert late_blocks == []
