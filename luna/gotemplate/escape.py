"""Contextual escaping of action output, after Go's html/template.

The executor feeds the template's own text through ``HtmlContext`` and asks
it for the escaper of each action. The context follows HTML text, tags,
attribute names, quoted and unquoted attribute values (with URL, CSS and
JavaScript attributes told apart), ``<script>`` and ``<style>`` bodies and
JavaScript string literals inside them.

NOTE: Go decides contexts when it parses, rejects branches that end in
different contexts, and tracks JavaScript regular expressions, comments and
template literals, CSS strings and ``url(…)``, ``srcset`` and HTML comments
(which it strips). This module decides contexts while it executes, from the
template text alone, and covers text, tags, attributes, URLs, CSS values and
JavaScript values and strings only.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from .gofmt import sprint
from .values import MISSING


class HTML(str):
    """Markup trusted to be safe, written out unescaped (Go's template.HTML)."""

    go_type_name = "template.HTML"


class HTMLAttr(str):
    """One or more trusted ``name="value"`` attributes (Go's template.HTMLAttr)."""

    go_type_name = "template.HTMLAttr"


class CSS(str):
    """A trusted CSS value or declaration list (Go's template.CSS)."""

    go_type_name = "template.CSS"


class URL(str):
    """A trusted URL that skips the scheme check (Go's template.URL)."""

    go_type_name = "template.URL"


class JS(str):
    """A trusted JavaScript expression (Go's template.JS)."""

    go_type_name = "template.JS"


FILTERED = "ZgotmplZ"
"""What Go writes in place of a value it rejects in a context."""

_HTML_REPLACEMENTS = {"\0": "\ufffd", '"': "&#34;", "&": "&amp;", "'": "&#39;", "+": "&#43;",
                      "<": "&lt;", ">": "&gt;"}
_HTML_PATTERN = re.compile("[\0\"&'+<>]")
_UNQUOTED_EXTRA = {"\t": "&#9;", "\n": "&#10;", "\f": "&#12;", "\r": "&#13;", " ": "&#32;",
                   "=": "&#61;", "`": "&#96;"}
_UNQUOTED_PATTERN = re.compile("[\0\"&'+<>\t\n\f\r =`]")
_SAFE_SCHEMES = ("http", "https", "mailto")


def stringify(value: Any) -> str:
    """Print a value for escaping; nil prints nothing, as in html/template."""
    if value is None or value is MISSING:
        return ""
    return sprint(value)


def escape_html(text: str) -> str:
    """Escape text for HTML element content and quoted attributes, as Go's htmlEscaper does."""
    return _HTML_PATTERN.sub(lambda match: _HTML_REPLACEMENTS[match.group(0)], text)


def escape_unquoted_attribute(text: str) -> str:
    table = {**_HTML_REPLACEMENTS, **_UNQUOTED_EXTRA}
    return _UNQUOTED_PATTERN.sub(lambda match: table[match.group(0)], text)


def strip_tags(text: str) -> str:
    return re.sub(r"<[^>]*>?", "", text)


def url_is_safe(url: str) -> bool:
    """Accept relative URLs and the schemes http, https and mailto, as Go's urlFilter."""
    scheme, colon, _ = url.partition(":")
    if not colon or "/" in scheme:
        return True
    return scheme.lower() in _SAFE_SCHEMES


def normalize_url(url: str, escape_reserved: bool = False) -> str:
    """Percent-encode bytes not allowed in a URL, as Go's urlNormalizer and urlEscaper do."""
    allowed = "-._~" if escape_reserved else "-._~!#$&*+,/:;=?@[]%"
    output = []
    data = url.encode()
    index = 0
    while index < len(data):
        byte = data[index]
        char = chr(byte)
        if byte < 0x80 and (char.isalnum() or char in allowed):
            output.append(char)
        else:
            output.append(f"%{byte:02x}")
        index += 1
    return "".join(output)


def filter_css_value(text: str) -> str:
    """Pass a CSS value only when it cannot break out of its declaration, as Go's cssValueFilter."""
    if re.search(r"[\0\"'()/;@\[\\\]`{}<>]|--", text):
        return FILTERED
    folded = re.sub(r"[^a-z0-9-]", "", text.lower())
    if "expression" in folded or "mozbinding" in folded:
        return FILTERED
    return text


def escape_js_value(value: Any) -> str:
    """Write a value as a JavaScript expression, as Go's jsValEscaper does."""
    if isinstance(value, JS):
        return str(value)
    if value is None or value is MISSING:
        return " null "
    if isinstance(value, (bool, int, float, list, tuple, dict)):
        try:
            return " " + _js_safe_json(json.dumps(value)) + " "
        except (TypeError, ValueError):
            pass
    return _js_safe_json(json.dumps(stringify(value)))


def _js_safe_json(text: str) -> str:
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_JS_STRING_REPLACEMENTS = {"\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\\": "\\\\", "/": "\\/"}


def escape_js_string(text: str) -> str:
    """Escape text for the inside of a JavaScript string literal, as Go's jsStrEscaper."""
    output = []
    for char in text:
        if char in _JS_STRING_REPLACEMENTS:
            output.append(_JS_STRING_REPLACEMENTS[char])
        elif ord(char) < 0x20 or char in "\"&'+<>`\u2028\u2029":
            output.append(f"\\u{ord(char):04x}")
        else:
            output.append(char)
    return "".join(output)


# Attribute kinds
ATTR_PLAIN, ATTR_URL, ATTR_CSS, ATTR_JS = "plain", "url", "css", "js"
# Element kinds whose bodies are not HTML
ELEMENT_SCRIPT, ELEMENT_STYLE, ELEMENT_RCDATA = "script", "style", "rcdata"

_URL_ATTRIBUTES = {"action", "archive", "background", "cite", "classid", "codebase", "data", "formaction",
                   "href", "icon", "longdesc", "manifest", "poster", "profile", "src", "usemap", "xmlns"}


def attribute_kind(name: str) -> str:
    name = name.lower()
    if ":" in name:
        namespace, _, local = name.partition(":")
        name = local if namespace != "xmlns" else "xmlns"
    if name.startswith("data-"):
        name = name[5:]
    if name.startswith("on"):
        return ATTR_JS
    if name == "style":
        return ATTR_CSS
    if name in _URL_ATTRIBUTES or "url" in name or "uri" in name or "src" in name:
        return ATTR_URL
    return ATTR_PLAIN


class HtmlContext:
    """The HTML context at the end of the template text written so far."""

    def __init__(self) -> None:
        self.state = "text"
        self.element = ""
        self.raw_element = ""
        self.attribute = ""
        self.quote = ""
        self.value = ""
        self.js_quote = ""

    def feed(self, text: str) -> None:
        index = 0
        while index < len(text):
            index = getattr(self, "_in_" + self.state)(text, index)

    def escaper(self) -> Callable[[Any], str]:
        """Return the function that writes an action's value in this context."""
        if self.state == "raw":
            return self._raw_escaper()
        if self.state in ("tag", "attribute_name"):
            return _escape_in_tag
        if self.state == "before_value":
            return lambda value: escape_unquoted_attribute(self._attribute_escaper()(value))
        if self.state == "value":
            if self.quote:
                return self._attribute_escaper()
            return lambda value: escape_unquoted_attribute(self._attribute_escaper()(value))
        return _escape_text

    def _raw_escaper(self) -> Callable[[Any], str]:
        if self.raw_element == ELEMENT_SCRIPT:
            return (lambda value: escape_js_string(stringify(value))) if self.js_quote else escape_js_value
        if self.raw_element == ELEMENT_STYLE:
            return _escape_css
        return lambda value: escape_html(stringify(value))

    def _attribute_escaper(self) -> Callable[[Any], str]:
        kind = attribute_kind(self.attribute)
        if kind == ATTR_URL:
            at_start = self.value.strip() == ""
            in_query = "?" in self.value or "#" in self.value
            return lambda value: escape_html(_escape_url(value, at_start, in_query))
        if kind == ATTR_CSS:
            return lambda value: escape_html(_escape_css(value))
        if kind == ATTR_JS:
            if self.js_quote:
                return lambda value: escape_html(escape_js_string(stringify(value)))
            return lambda value: escape_html(escape_js_value(value))
        return lambda value: escape_html(strip_tags(value) if isinstance(value, HTML) else stringify(value))

    # States. Each takes the text and a position and returns the next position.

    def _in_text(self, text: str, index: int) -> int:
        start = text.find("<", index)
        if start < 0:
            return len(text)
        match = re.match(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)", text[start:])
        if not match:
            return start + 1
        self.element = match.group(2).lower() if not match.group(1) else ""
        self.state = "tag"
        return start + match.end()

    def _in_tag(self, text: str, index: int) -> int:
        match = re.compile(r"\s*(/?>|[^\s=/>]+)").match(text, index)
        if not match:
            return len(text)
        token = match.group(1)
        if token.endswith(">"):
            self._close_tag()
        else:
            self.attribute = token
            self.state = "attribute_name"
        return match.end()

    def _in_attribute_name(self, text: str, index: int) -> int:
        match = re.compile(r"\s*(=?)").match(text, index)
        if match.group(1):
            self.state = "before_value"
            return match.end()
        if match.end() == len(text):
            return len(text)
        self.state = "tag"
        return match.end()

    def _in_before_value(self, text: str, index: int) -> int:
        match = re.compile(r"\s*").match(text, index)
        index = match.end()
        if index >= len(text):
            return index
        self.quote = text[index] if text[index] in "\"'" else ""
        self.value = ""
        self.js_quote = ""
        self.state = "value"
        return index + 1 if self.quote else index

    def _in_value(self, text: str, index: int) -> int:
        match = re.compile(f"[^{re.escape(self.quote)}]*" if self.quote else r"[^\s>]*").match(text, index)
        chunk = match.group(0)
        self.value += chunk
        self._track_js_quotes(chunk)
        index = match.end()
        if index >= len(text):
            return index
        self.state = "tag"
        return index + 1 if self.quote else index

    def _in_raw(self, text: str, index: int) -> int:
        closing = re.compile(f"</{self.element}(?=[\\s/>])", re.I).search(text, index)
        chunk = text[index:closing.start()] if closing else text[index:]
        if self.raw_element == ELEMENT_SCRIPT:
            self._track_js_quotes(chunk)
        if not closing:
            return len(text)
        self.state = "text"
        self.raw_element = ""
        return closing.start()

    def _close_tag(self) -> None:
        raw = {"script": ELEMENT_SCRIPT, "style": ELEMENT_STYLE, "textarea": ELEMENT_RCDATA,
               "title": ELEMENT_RCDATA}.get(self.element)
        self.state = "raw" if raw else "text"
        self.raw_element = raw or ""
        self.js_quote = ""

    def _track_js_quotes(self, chunk: str) -> None:
        escaped = False
        for char in chunk:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif self.js_quote and char == self.js_quote:
                self.js_quote = ""
            elif not self.js_quote and char in "\"'`":
                self.js_quote = char


def _escape_text(value: Any) -> str:
    if isinstance(value, HTML):
        return str(value)
    return escape_html(stringify(value))


def _escape_in_tag(value: Any) -> str:
    if isinstance(value, HTMLAttr):
        return str(value)
    text = stringify(value)
    if re.fullmatch(r"[a-zA-Z0-9-]*", text) and not text.lower().startswith("on"):
        return text.lower() if text else text
    return FILTERED


def _escape_css(value: Any) -> str:
    if isinstance(value, CSS):
        return str(value)
    return filter_css_value(stringify(value))


def _escape_url(value: Any, at_start: bool, in_query: bool) -> str:
    text = stringify(value)
    if in_query and not isinstance(value, URL):
        return normalize_url(text, escape_reserved=True)
    if at_start and not isinstance(value, URL) and not url_is_safe(text):
        return "#" + FILTERED
    return normalize_url(text)
