"""`docker-containers`: the containers of a Docker host with their state, grouped under parent containers."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from luna.config.fields import Duration, parse_link
from luna.config.models import ConfigModel
from luna.widgets.base import Widget, WidgetContext, WidgetError, WidgetOptions
from luna.widgets.docker_api import (
    DockerEndpoint,
    InvalidDockerHost,
    fetch_containers,
    find_endpoint,
    parse_endpoint,
)
from luna.widgets.docker_status import ContainerStatus, Since, estimate_since, parse_status
from luna.widgets.icons import Icon, parse_icon
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 15.0
DEFAULT_TIMEOUT = 5.0
# Label prefixes, most specific first: the Go luna reads luna.*, Glance glance.*.
LABEL_PREFIXES = ("luna.", "glance.")
TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
# Conditions in the order the widget lists them: problems first.
CONDITION_ORDER = {"warn": 0, "other": 1, "paused": 2, "ok": 3}


def parse_container_link(value: Any) -> str:
    """Accept an http or https URL, or a path on this server, as a container's link."""

    # parse_link rejects malformed URLs and the schemes that run code, such as javascript:.
    text = parse_link(value)
    scheme = urlsplit(text).scheme.lower()
    if scheme not in ("", "http", "https"):
        raise ValueError(
            f'invalid link "{text}": a container link must be an http:// or https:// URL, '
            "or a path on this server such as /jellyfin/"
        )
    return text


def check_container_icon(value: str) -> str:
    """Check an icon as a label would be read, keeping the text that merges with the container's labels."""

    parse_icon(value)
    return value


ContainerLink = Annotated[str, BeforeValidator(parse_container_link)]
ContainerIcon = Annotated[str, AfterValidator(check_container_icon)]


class ContainerOverride(ConfigModel):
    """Label values set in luna.yml for one container, by its name; they win over the container's own labels."""

    name: str | None = None
    icon: ContainerIcon | None = None
    url: ContainerLink | None = None
    same_tab: bool | None = None
    description: str | None = None
    hide: bool | None = None
    id: str | None = None
    parent: str | None = None
    category: str | None = None

    def as_labels(self) -> dict[str, str]:
        values = self.model_dump(exclude_none=True)
        return {key.replace("_", "-"): _label_text(value) for key, value in values.items()}


def _label_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class DockerContainersOptions(WidgetOptions):
    sock_path: str | None = None
    hide_by_default: bool = False
    running_only: bool = False
    category: str | None = None
    format_container_names: bool = False
    containers: dict[str, ContainerOverride] = Field(default_factory=dict)
    timeout: Duration = Field(default=DEFAULT_TIMEOUT, gt=0)

    @field_validator("sock_path")
    @classmethod
    def _sock_path_readable(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_endpoint(value)
            except InvalidDockerHost as error:
                raise ValueError(str(error)) from None
        return value


@dataclass(frozen=True)
class Container:
    """One container as the widget shows it; a parent lists its children."""

    id: str
    name: str
    image: str
    status: ContainerStatus
    since: Since | None = None
    url: str | None = None
    same_tab: bool = False
    description: str = ""
    icon: Icon | None = None
    children: tuple[Container, ...] = ()

    @property
    def own_condition(self) -> str:
        """`ok`, `warn`, `paused` or `other`, from this container alone."""

        status = self.status
        if status.health == "unhealthy" or status.state in ("exited", "dead", "restarting"):
            return "warn"
        if status.state == "paused":
            return "paused"
        if status.state == "running":
            return "ok"
        return "other"

    @property
    def condition(self) -> str:
        """The container's own condition, or `warn` when one of its children has a problem."""

        if any(child.own_condition == "warn" for child in self.children):
            return "warn"
        return self.own_condition

    @property
    def label(self) -> str:
        status = self.status
        health = {"healthy": ", healthy", "unhealthy": ", unhealthy", "starting": ", health check starting"}
        if status.state == "running":
            return "Running" + health.get(status.health or "", "")
        if status.state == "paused":
            return "Paused"
        if status.state in ("exited", "restarting"):
            verb = "Exited" if status.state == "exited" else "Restarting"
            return verb if status.exit_code is None else f"{verb} (code {status.exit_code})"
        return {"dead": "Dead", "created": "Created, never started", "removing": "Being removed"}.get(
            status.state, status.state.capitalize()
        )

    @property
    def since_prefix(self) -> str:
        """Words before the browser's "3m ago"."""

        return {"up": "started ", "exited": "exited ", "restarting": "last exit "}.get(self.status.phase or "", "")

    @property
    def problem_children(self) -> int:
        return sum(1 for child in self.children if child.own_condition == "warn")

    def walk(self) -> Iterator[Container]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class RawContainer:
    """A container of the API reply with its labels merged: overrides, then luna.*, then glance.*."""

    reply: Mapping[str, Any]
    labels: Mapping[str, str]
    docker_name: str
    # The full name of each label read, such as luna.url, for log messages.
    label_names: Mapping[str, str] = field(default_factory=dict)

    def label(self, key: str) -> str:
        return self.labels.get(key, "")

    def flag(self, key: str) -> bool | None:
        value = self.label(key)
        return value.strip().lower() in TRUE_WORDS if value else None


@register
class DockerContainersWidget(Widget):
    type = "docker-containers"
    options_model = DockerContainersOptions
    default_title = "Docker Containers"
    default_interval = DEFAULT_INTERVAL

    def __init__(self, options: WidgetOptions, context: WidgetContext, children: list[Widget] | None = None) -> None:
        super().__init__(options, context, children)
        # Container name, label key and value of each unusable label logged so far.
        self._logged_labels: set[tuple[str, str, str]] = set()

    @property
    def docker_options(self) -> DockerContainersOptions:
        return self.options  # type: ignore[return-value]

    @property
    def refresh_timeout(self) -> float:
        return self.docker_options.timeout + 5.0

    def endpoint(self, environ: Mapping[str, str] | None = None) -> DockerEndpoint:
        try:
            return find_endpoint(self.docker_options.sock_path, os.environ if environ is None else environ)
        except InvalidDockerHost as error:
            raise WidgetError(str(error)) from None

    async def refresh(self, context: RefreshContext) -> tuple[Container, ...]:
        options = self.docker_options
        replies = await fetch_containers(self.endpoint(), include_stopped=not options.running_only, timeout=options.timeout)

        previous = {since.key.split(":", 1)[0]: since for since in self._previous_sinces()}
        raw = [merge_labels(reply, options.containers) for reply in replies]
        if options.category is not None:
            raw = [container for container in raw if container.label("category") == options.category]
        self._log_ignored_labels(raw)
        return build_containers(raw, options, previous, context.clock.now())

    def _log_ignored_labels(self, raw: list[RawContainer]) -> None:
        """Log each unusable label of a shown container once, not on every refresh. A new value is logged again."""

        for container in raw:
            if _hidden(container, self.docker_options.hide_by_default):
                continue
            for key, value, reason in ignored_labels(container):
                entry = (container.docker_name, key, value)
                if entry in self._logged_labels:
                    continue
                self._logged_labels.add(entry)
                name = container.label_names.get(key, key)
                logger.warning(
                    '%s: container "%s": ignoring the label %s: %s', self.label, container.docker_name, name, reason
                )

    def _previous_sinces(self) -> Iterator[Since]:
        for container in self.state.data or ():
            for item in container.walk():
                if item.since is not None:
                    yield item.since

    def template_context(self) -> dict[str, Any]:
        return {"containers": self.state.data or ()}

    def public_data(self) -> Any:
        return {"containers": [container_json(container) for container in self.state.data or ()]}


def merge_labels(reply: Mapping[str, Any], overrides: Mapping[str, ContainerOverride]) -> RawContainer:
    """Read the luna and Glance labels of one container and apply the overrides written for its name."""

    docker_name = _docker_name(reply)
    labels = reply.get("Labels") if isinstance(reply.get("Labels"), dict) else {}
    merged: dict[str, str] = {}
    names: dict[str, str] = {}
    for prefix in reversed(LABEL_PREFIXES):
        for key, value in labels.items():
            if isinstance(key, str) and key.startswith(prefix) and isinstance(value, str) and value.strip():
                merged[key[len(prefix) :]] = value.strip()
                names[key[len(prefix) :]] = key

    override = overrides.get(docker_name)
    if override is not None:
        merged.update(override.as_labels())
    return RawContainer(reply, merged, docker_name, names)


def _docker_name(reply: Mapping[str, Any]) -> str:
    names = reply.get("Names")
    if isinstance(names, list) and names and isinstance(names[0], str):
        return names[0].lstrip("/")
    return ""


def build_containers(
    raw: list[RawContainer], options: DockerContainersOptions, previous: Mapping[str, Since], now: float
) -> tuple[Container, ...]:
    """Hide, group and sort the containers; children go under the container whose `id` label they name as `parent`."""

    visible = [container for container in raw if not _hidden(container, options.hide_by_default)]
    hidden_ids = {container.label("id") for container in raw if container.label("id")} - {
        container.label("id") for container in visible
    }

    parent_ids = {container.label("id") for container in visible if container.label("id")}
    children: dict[str, list[Container]] = {}
    tops: list[RawContainer] = []
    for container in visible:
        parent = container.label("parent")
        if not container.label("id") and parent in parent_ids:
            children.setdefault(parent, []).append(build_container(container, options, previous, now))
        elif not container.label("id") and parent in hidden_ids:
            continue  # the parent is hidden, and its children with it
        else:
            tops.append(container)

    built = []
    for container in tops:
        item = build_container(container, options, previous, now)
        kids = children.get(container.label("id"), []) if container.label("id") else []
        built.append(replace(item, children=sort_containers(kids)))
    return sort_containers(built)


def _hidden(container: RawContainer, hide_by_default: bool) -> bool:
    flag = container.flag("hide")
    return hide_by_default if flag is None else flag


def build_container(raw: RawContainer, options: DockerContainersOptions, previous: Mapping[str, Since], now: float) -> Container:
    reply = raw.reply
    container_id = str(reply.get("Id") or raw.docker_name)
    health = reply.get("Health")
    status = parse_status(
        str(reply.get("State") or ""),
        str(reply.get("Status") or ""),
        health.get("Status") if isinstance(health, dict) else None,
    )

    since = None
    if status.phase is not None and status.age is not None:
        since = estimate_since(f"{container_id}:{status.phase}", status.age, now, previous.get(container_id))

    return Container(
        id=container_id,
        name=display_name(raw, container_id, options.format_container_names),
        image=str(reply.get("Image") or ""),
        status=status,
        since=since,
        url=_parsed_label(raw, "url"),
        same_tab=bool(raw.flag("same-tab")),
        description=raw.label("description"),
        icon=_parsed_label(raw, "icon"),
    )


def display_name(raw: RawContainer, container_id: str, format_names: bool) -> str:
    """Return the `name` label, else Docker's name, written "Home Assistant" for "home_assistant" when asked."""

    if raw.label("name"):
        return raw.label("name")
    name = raw.docker_name or container_id[:12] or "n/a"
    if not format_names:
        return name
    words = name.replace("_", " ").replace("-", " ").split()
    return " ".join(word[:1].upper() + word[1:] for word in words)


# Labels whose values are parsed, with their parsers. A value that does not
# parse is left out, and the widget logs it once.
PARSED_LABELS: dict[str, Callable[[str], Any]] = {"url": parse_container_link, "icon": parse_icon}


def _parsed_label(raw: RawContainer, key: str) -> Any:
    value = raw.label(key)
    if not value:
        return None
    try:
        return PARSED_LABELS[key](value)
    except ValueError:
        return None


def ignored_labels(raw: RawContainer) -> Iterator[tuple[str, str, str]]:
    """Yield each label of a container that is left out because its value does not parse: key, value and reason."""

    for key, parse in PARSED_LABELS.items():
        value = raw.label(key)
        if not value:
            continue
        try:
            parse(value)
        except ValueError as error:
            yield key, value, str(error)


def sort_containers(containers: list[Container]) -> tuple[Container, ...]:
    return tuple(sorted(containers, key=lambda item: (CONDITION_ORDER[item.condition], item.name.lower(), item.id)))


def container_json(container: Container) -> dict[str, Any]:
    return {
        "id": container.id,
        "name": container.name,
        "image": container.image,
        "state": container.status.state,
        "health": container.status.health,
        "exit_code": container.status.exit_code,
        "condition": container.condition,
        "label": container.label,
        "since": container.since.shown if container.since else None,
        "url": container.url,
        "description": container.description,
        "children": [container_json(child) for child in container.children],
    }
