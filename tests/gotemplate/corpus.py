"""Read the custom-api templates of the community widget collection.

Some published files are not valid YAML (wrong indentation after the list
dash), so templates are cut out of the text by the indentation of their
block scalar, which works for every file, valid or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# Glance's published community widgets (CC0), copied into the repository as a test corpus.
COMMUNITY_WIDGETS = Path(__file__).resolve().parents[1] / "fixtures" / "community-widgets"
_TEMPLATE_KEY = re.compile(r"^(?P<indent>[ \t]*)(?P<dash>- )?template:\s*[|>][-+0-9]*\s*$")
_VARIABLE = re.compile(r"\$\{[A-Za-z0-9_]+\}")


@dataclass
class CommunityTemplate:
    file: str
    number: int
    source: str

    @property
    def id(self) -> str:
        return f"{self.file}#{self.number}"


def community_templates() -> list[CommunityTemplate]:
    found = []
    for path in sorted(COMMUNITY_WIDGETS.glob("*.yml")):
        for number, source in enumerate(extract_templates(path.read_text(encoding="utf-8")), start=1):
            found.append(CommunityTemplate(path.name, number, source))
    return found


def extract_templates(text: str) -> list[str]:
    lines = text.splitlines()
    templates = []
    for index, line in enumerate(lines):
        match = _TEMPLATE_KEY.match(line)
        if not match:
            continue
        key_indent = len(match.group("indent")) + (2 if match.group("dash") else 0)
        body = _block_body(lines[index + 1:], key_indent)
        if body:
            templates.append(body)
    return templates


def _block_body(lines: list[str], key_indent: int) -> str:
    body = []
    for line in lines:
        if line.strip() and len(line) - len(line.lstrip()) <= key_indent:
            break
        body.append(line)
    while body and not body[-1].strip():
        body.pop()
    if not body:
        return ""
    indent = min(len(line) - len(line.lstrip()) for line in body if line.strip())
    return "\n".join(line[indent:] for line in body) + "\n"


def substitute_variables(source: str, value: str = "1") -> str:
    """Replace ``${NAME}`` placeholders as luna's config loader would with a set variable."""
    return _VARIABLE.sub(value, source)


def widget_options(file: str) -> dict:
    """Return the ``options:`` of the first widget in a file, or {} when the YAML does not load."""
    try:
        document = yaml.safe_load((COMMUNITY_WIDGETS / file).read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return {}
    widgets = document if isinstance(document, list) else [document]
    for widget in widgets:
        if isinstance(widget, dict) and isinstance(widget.get("options"), dict):
            return widget["options"]
    return {}
