"""Check parsed YAML against the models and explain every problem at its key.

pydantic does the checking; this module walks the pages and widgets itself so
that each widget is validated by the model of its own type, every problem is
collected rather than only the first, and each one is worded for the person
editing the file: the key path, what was expected, what was found and, for a
misspelt key or type, the nearest valid one.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from luna.auth.passwords import username_problem
from luna.config.errors import ConfigProblem, Location, MisplacedKeyError, ValuePositionError
from luna.config.fields import describe_value, suggest
from luna.config.models import RESERVED_SLUGS, Config, slug_from_name
from luna.config.yaml_tree import KeyPath, Mark, YamlTree
from luna.widgets import registry
from luna.widgets.base import WidgetOptions

Locator = Callable[[Mark], Location | None]

# Keys people bring from other files or tools, with where they belong in luna.yml.
KEY_HINTS: dict[tuple[str, str], str] = {
    ("Config", "port"): "did you mean `server.port`? Write it as `server: {port: 8080}`",
    ("Config", "host"): "did you mean `server.host`? Move it under `server:`",
    ("Config", "base-url"): "did you mean `server.base-url`? Move it under `server:`",
    ("Config", "proxied"): "did you mean `server.proxied`? Move it under `server:`",
    ("Config", "assets-path"): "did you mean `server.assets-path`? Move it under `server:`",
    ("Config", "head"): "did you mean `document.head`? Move it under `document:`",
    ("Config", "background-color"): "colours belong under `theme:`",
    ("Config", "primary-color"): "colours belong under `theme:`",
    ("Config", "widgets"): "widgets belong in a page column: `pages: [{name: Home, columns: [{size: full, widgets: [...]}]}]`",
    ("Config", "columns"): "columns belong to a page: `pages: [{name: Home, columns: [...]}]`",
    ("Config", "users"): "users belong under `auth:`: `auth: {secret-key: ..., users: {NAME: {password-hash: ...}}}`",
    ("Config", "secret-key"): "did you mean `auth.secret-key`? Move it under `auth:`",
    ("Auth", "password"): "a password belongs to a user: `users: {NAME: {password-hash: ...}}`",
    ("Auth", "password-hash"): "a password hash belongs to a user: `users: {NAME: {password-hash: ...}}`",
    ("Auth", "proxied"): "did you mean `server.proxied`? Move it under `server:`",
    ("Auth", "trusted-proxies"): "did you mean `server.trusted-proxies`? Move it under `server:`",
    ("Page", "path"): "to take a page from another file, list it as `- $include: home.yml` under `pages:`",
    ("Page", "widgets"): "widgets go inside a column: `columns: [{size: full, widgets: [...]}]`",
    ("Page", "theme"): "the theme is set once, at the top level of the file",
    ("Page", "title"): "a page's title is its `name`",
}

# Hints for a single value written where a mapping belongs, by key path; `{value}` is that value.
MAPPING_HINTS: dict[KeyPath, str] = {
    ("server",): "; to set the port, write `server: {{port: {value}}}`",
    ("document",): "; to add HTML to every page, write it under `document: {{head: ...}}`",
}

TYPE_HINTS = {"monitors": "monitor", "bookmark": "bookmarks", "clocks": "clock"}


@dataclass
class _Problems:
    tree: YamlTree
    locate: Locator
    found: list[ConfigProblem]

    def add(self, path: KeyPath, message: str, prefer_key: bool = False, mark: Mark | None = None) -> None:
        mark = mark or self.tree.mark_of(path, prefer_key=prefer_key)
        location = self.locate(mark) if mark else None
        context = _describe_context(self.tree.value, path)
        self.found.append(ConfigProblem(message + context, location, format_key_path(path)))


def validate_config(tree: YamlTree, locate: Locator) -> tuple[Config | None, list[ConfigProblem]]:
    """Build the typed configuration from parsed YAML, or report why it cannot be built."""

    problems = _Problems(tree, locate, [])
    raw = tree.value

    if not _check_top_level(raw, problems):
        return None, problems.found

    prepared = dict(raw)
    if isinstance(raw.get("pages"), list):
        prepared["pages"] = [_prepare_page(page, ("pages", index), problems) for index, page in enumerate(raw["pages"])]
        _check_slugs(raw["pages"], problems)
    _check_user_names(raw.get("auth"), problems)

    try:
        config = Config.model_validate(prepared)
    except ValidationError as error:
        _add_validation_errors(error, Config, (), problems)
        return None, problems.found

    if problems.found:
        return None, problems.found
    return config, []


def _check_top_level(raw: Any, problems: _Problems) -> bool:
    if raw is None:
        problems.add((), "the configuration is empty; it needs at least a `pages:` list with one page")
        return False

    if isinstance(raw, list):
        looks_like_page = bool(raw) and isinstance(raw[0], dict) and ("name" in raw[0] or "columns" in raw[0])
        hint = (
            "; this looks like a single page: add a line `pages:` at the top and indent the page under it"
            if looks_like_page
            else ""
        )
        problems.add((), f"the top level must be a mapping with a `pages:` key, not a list{hint}")
        return False

    if not isinstance(raw, dict):
        problems.add((), f"the top level must be a mapping with a `pages:` key, got {describe_value(raw)}")
        return False
    return True


def _prepare_page(page: Any, path: KeyPath, problems: _Problems) -> Any:
    """Validate the widgets of one page and put their options objects in place of the raw mappings."""

    if not isinstance(page, dict):
        return page

    prepared = dict(page)
    if isinstance(page.get("head-widgets"), list):
        prepared["head-widgets"] = _prepare_widgets(page["head-widgets"], path + ("head-widgets",), problems)

    columns = page.get("columns")
    if isinstance(columns, list):
        prepared["columns"] = [
            _prepare_column(column, path + ("columns", index), problems) for index, column in enumerate(columns)
        ]
        _check_columns(page, path, problems)
    return prepared


def _prepare_column(column: Any, path: KeyPath, problems: _Problems) -> Any:
    if not isinstance(column, dict) or not isinstance(column.get("widgets"), list):
        return column
    return {**column, "widgets": _prepare_widgets(column["widgets"], path + ("widgets",), problems)}


def _prepare_widgets(widgets: list[Any], path: KeyPath, problems: _Problems, parent: str | None = None) -> list[Any]:
    return [_validate_widget(widget, path + (index,), problems, parent) for index, widget in enumerate(widgets)]


def _validate_widget(raw: Any, path: KeyPath, problems: _Problems, parent: str | None) -> WidgetOptions | None:
    if not isinstance(raw, dict):
        problems.add(path, f"a widget must be a mapping that starts with `type:`, got {describe_value(raw)}")
        return None

    widget_class = _widget_class(raw, path, problems)
    if widget_class is None:
        return None

    if parent is not None and widget_class.type in registry.widget_class(parent).forbidden_children:
        problems.add(path + ("type",), f"a {parent} widget cannot contain a {widget_class.type} widget")
        return None

    prepared = dict(raw)
    key = widget_class.children_key
    if key and isinstance(raw.get(key), list):
        prepared[key] = _prepare_widgets(raw[key], path + (key,), problems, parent=widget_class.type)

    try:
        return widget_class.options_model.model_validate(prepared)
    except ValidationError as error:
        _add_validation_errors(error, widget_class.options_model, path, problems)
        return None


def _widget_class(raw: dict[str, Any], path: KeyPath, problems: _Problems) -> Any:
    type_name = raw.get("type")
    if type_name is None:
        problems.add(path, "the widget has no `type`; add one such as `type: clock`")
        return None
    if not isinstance(type_name, str):
        problems.add(path + ("type",), f"a widget type must be a name such as clock, got {describe_value(type_name)}")
        return None

    widget_class = registry.widget_class(type_name)
    if widget_class is not None:
        return widget_class

    if type_name in registry.GLANCE_ONLY_TYPES:
        message = f'the widget type "{type_name}" is a Glance type that this version of luna does not have yet'
    else:
        nearest = TYPE_HINTS.get(type_name) or suggest(type_name, registry.type_names())
        message = f'unknown widget type "{type_name}"'
        message += f'; did you mean "{nearest}"?' if nearest else f"; the types are: {', '.join(registry.type_names())}"
    problems.add(path + ("type",), message)
    return None


def _check_columns(page: dict[str, Any], path: KeyPath, problems: _Problems) -> None:
    columns = page["columns"]
    slim = page.get("width") == "slim"
    limit = 2 if slim else 3
    if len(columns) > limit:
        kind = "a slim page" if slim else "a page"
        problems.add(path + ("columns",), f"{kind} has at most {limit} columns, this one has {len(columns)}", True)

    # A misspelt size is reported on its own; counting around it would add a
    # second, misleading problem about the number of full columns.
    sizes = [column.get("size") if isinstance(column, dict) else None for column in columns]
    if not columns or any(size not in ("small", "full") for size in sizes):
        return
    full = sizes.count("full")
    if full == 0:
        problems.add(path + ("columns",), "a page needs one or two columns with `size: full`, this one has none", True)
    elif full > 2:
        problems.add(
            path + ("columns",),
            f"a page has at most two columns with `size: full`, this one has {full}; make the others `size: small`",
            True,
        )


def _check_slugs(pages: list[Any], problems: _Problems) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for index, page in enumerate(pages):
        if not isinstance(page, dict) or not isinstance(page.get("name"), str):
            continue

        name = page["name"]
        explicit = isinstance(page.get("slug"), str) and page["slug"]
        slug = page["slug"] if explicit else slug_from_name(name)
        key = ("pages", index, "slug" if explicit else "name")

        if not slug:
            problems.add(key, f'the page name "{name}" gives an empty slug; set `slug:` to a plain word')
        elif any(character in slug for character in "/?#%"):
            problems.add(key, f'the page slug "{slug}" may not contain /, ?, # or %; set `slug:` to a plain word')
        elif slug in RESERVED_SLUGS:
            problems.add(key, f'the slug "{slug}" is a path luna uses itself; set another `slug:` on this page')
        elif slug in seen:
            first_name, first_index = seen[slug]
            first_mark = problems.tree.mark_of(("pages", first_index))
            first = problems.locate(first_mark) if first_mark else None
            where = f" (at {first.file.name}:{first.line})" if first else ""
            problems.add(
                key,
                f'pages "{first_name}"{where} and "{name}" both have the slug "{slug}"; '
                "give one of them another `slug:` or name",
            )
        seen.setdefault(slug, (name, index))


def _check_user_names(auth: Any, problems: _Problems) -> None:
    users = auth.get("users") if isinstance(auth, dict) else None
    if not isinstance(users, dict):
        return

    for name in users:
        problem = username_problem(str(name))
        if problem is not None:
            problems.add(("auth", "users", name), problem, prefer_key=True)


def _add_validation_errors(error: ValidationError, model: type[BaseModel], prefix: KeyPath, problems: _Problems) -> None:
    details = error.errors(include_url=False)
    misspelt = _misspelt_required_keys(details, model)

    for detail in details:
        loc = _clean_loc(detail)
        path = prefix + loc
        kind = detail["type"]

        if kind == "extra_forbidden":
            problems.add(path, _unknown_key_message(model, loc), prefer_key=True)
        elif kind == "missing" and loc not in misspelt:
            problems.add(path[:-1], f'missing required key "{loc[-1]}"')
        elif _raised(detail, MisplacedKeyError):
            problems.add(path, _value_message(detail, loc), prefer_key=True)
        elif kind != "missing":
            problems.add(path, _value_message(detail, loc), mark=_mark_inside_value(detail, path, problems.tree))


def _raised(detail: Any, error_class: type[Exception]) -> bool:
    """Tell whether a validator raised an error of this class for the problem."""

    return isinstance((detail.get("ctx") or {}).get("error"), error_class)


def _mark_inside_value(detail: Any, path: KeyPath, tree: YamlTree) -> Mark | None:
    """Return the mark of a problem inside a text value, for errors that carry a position (a template's syntax error)."""

    error = (detail.get("ctx") or {}).get("error")
    if not isinstance(error, ValuePositionError):
        return None
    return tree.mark_inside(path, error.line, error.column)


def _clean_loc(detail: Any) -> KeyPath:
    return tuple(part for part in detail["loc"] if not _is_internal_loc(part))


def _misspelt_required_keys(details: list[Any], model: type[BaseModel]) -> set[KeyPath]:
    """Find required keys that are missing because an unknown key next to them is their misspelling.

    `colums:` is then reported once, as an unknown key with its suggestion,
    and not a second time as a missing `columns`.
    """

    misspelt: set[KeyPath] = set()
    for detail in details:
        loc = _clean_loc(detail)
        if detail["type"] != "extra_forbidden" or not loc:
            continue

        parent = _model_at(model, loc[:-1])
        nearest = suggest(str(loc[-1]), _aliases(parent)) if parent else None
        if nearest is not None:
            misspelt.add(loc[:-1] + (nearest,))
    return misspelt


def _is_internal_loc(part: Any) -> bool:
    # pydantic adds validator and union-member names to `loc` in some schemas.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _unknown_key_message(model: type[BaseModel], loc: KeyPath) -> str:
    key = str(loc[-1])
    parent = _model_at(model, loc[:-1])
    allowed = _aliases(parent) if parent else []

    hint = KEY_HINTS.get((parent.__name__ if parent else "", key))
    if hint is None and parent is not None:
        hint = getattr(parent, "key_hints", {}).get(key)
    if hint is None:
        nearest = suggest(key, allowed)
        hint = f'did you mean "{nearest}"?' if nearest else f"the keys here are: {', '.join(allowed)}"
    return f'unknown key "{key}"; {hint}'


def _value_message(detail: Any, loc: KeyPath) -> str:
    kind = detail["type"]
    value = detail.get("input")
    context = detail.get("ctx") or {}
    got = f", got {describe_value(value)}"

    if kind in ("value_error", "assertion_error"):
        return str(context.get("error", detail["msg"]))
    if kind == "list_type":
        if loc == ("pages",):
            return "`pages` must be a list; begin each page with `- name:`" + got
        return "must be a list; start each item on its own line with `- `" + got
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        hint = MAPPING_HINTS.get(loc, "").format(value=value) if isinstance(value, (int, float, str)) else ""
        return "must be a mapping of keys and values" + got + hint
    if kind == "literal_error":
        return _literal_message(context, value)
    if kind == "string_type" and isinstance(value, bool):
        # YAML reads unquoted true and false as booleans.
        return f"must be text{got}; put the value in quotes"
    return _simple_message(kind, context, detail["msg"]) + (got if kind.endswith(("_type", "_parsing")) else "")


def _literal_message(context: dict[str, Any], value: Any) -> str:
    expected = str(context.get("expected", "")).replace("''", "(empty)")
    message = f"must be one of {expected}, got {describe_value(value)}"
    choices = [part.strip(" '") for part in expected.replace(" or ", ",").split(",")]
    nearest = suggest(value, choices) if isinstance(value, str) else None
    return message + (f'; did you mean "{nearest}"?' if nearest else "")


SIMPLE_MESSAGES = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
}


def _number(value: Any) -> str:
    """Write a bound as a person would: 0 rather than pydantic's 0.0."""

    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _simple_message(kind: str, context: dict[str, Any], fallback: str) -> str:
    if kind in SIMPLE_MESSAGES:
        return SIMPLE_MESSAGES[kind]
    if kind == "greater_than":
        return f"must be greater than {_number(context['gt'])}"
    if kind == "greater_than_equal":
        return f"must be at least {_number(context['ge'])}"
    if kind == "less_than":
        return f"must be less than {_number(context['lt'])}"
    if kind == "less_than_equal":
        return f"must be at most {_number(context['le'])}"
    if kind == "too_short":
        minimum = context.get("min_length", 1)
        return "must not be empty" if minimum == 1 else f"needs at least {minimum} items"
    if kind == "too_long":
        return f"may have at most {context.get('max_length')} items"
    return fallback[0].lower() + fallback[1:] if fallback else "is invalid"


def _model_at(model: type[BaseModel], loc: KeyPath) -> type[BaseModel] | None:
    """Find the model that validates the mapping at `loc`, following field annotations."""

    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            current = _item_type(current)
        elif _is_model(current):
            field = next((f for name, f in current.model_fields.items() if (f.alias or name) == part), None)
            current = field.annotation if field else None
        else:
            current = _value_type(current)
        if current is None:
            return None

    current = _unwrap(current)
    return current if _is_model(current) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = members[0] if len(members) == 1 else annotation
            if len(members) != 1:
                return annotation
        else:
            return annotation


def _item_type(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (list, tuple, set, frozenset):
        arguments = typing.get_args(annotation)
        return arguments[0] if arguments else None
    return None


def _value_type(annotation: Any) -> Any:
    if typing.get_origin(annotation) is dict:
        return typing.get_args(annotation)[1]
    return None


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _aliases(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def format_key_path(path: KeyPath) -> str:
    """Write a key path as people read it: `pages[0].columns[1].widgets[2].title`."""

    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe_context(raw: Any, path: KeyPath) -> str:
    """Name the page and widget a problem sits in, as `(page "Home", monitor widget "NAS")`."""

    parts: list[str] = []
    node = raw
    widget: dict[str, Any] | None = None
    for index, part in enumerate(path):
        if not isinstance(node, (dict, list)):
            break
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if path[:1] == ("pages",) and index == 1 and isinstance(node, dict) and isinstance(node.get("name"), str):
                parts.append(f'page "{node["name"]}"')
            elif index >= 2 and path[index - 1] in ("widgets", "head-widgets") and isinstance(node, dict):
                widget = node
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            break

    if widget is not None and isinstance(widget.get("type"), str) and registry.widget_class(widget["type"]):
        title = widget.get("title")
        described = f'{widget["type"]} widget' + (f' "{title}"' if isinstance(title, str) and title else "")
        parts.append(described)
    return f" (in {', '.join(parts)})" if parts else ""

