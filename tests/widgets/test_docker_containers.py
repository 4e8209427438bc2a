"""docker-containers against a fake Docker Engine API on a unix socket or 127.0.0.1."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from luna.cli import main
from luna.config.errors import ConfigError
from luna.events.types import WIDGET_UPDATED, Event
from luna.runtime import Runtime
from luna.widgets import docker_api
from luna.widgets.docker_api import DockerEndpoint, InvalidDockerHost, find_endpoint, parse_endpoint
from luna.widgets.docker_containers import DockerContainersWidget
from luna.widgets.docker_status import estimate_since, parse_age, parse_status
from tests.support.dashboards import write_config
from tests.support.fake_docker import PROXY_FORBIDDEN_PAGE, FakeDocker, container, serve_docker
from tests.support.html import Element, nesting_problems, parse_html
from tests.support.widgets import refreshed_by_test, refreshed_html, stage_widget

NOW = 1_700_000_000.0


def widget_yaml(sock_path: str, extra: str = "") -> str:
    return f"type: docker-containers\nsock-path: {sock_path}\n{extra}"


def rows(html: str) -> list[Element]:
    return parse_html(html).select("li.docker-container")


def names(html: str) -> list[str]:
    return [row.select_one(".docker-container-name").text for row in rows(html)]


def error_reason(html: str) -> str:
    return parse_html(html).select_one(".widget-error-reason").text


def record_events(runtime: Runtime) -> list[Event]:
    events: list[Event] = []
    publish = runtime.hub.publish

    def record(event: Event) -> None:
        events.append(event)
        publish(event)

    runtime.hub.publish = record  # type: ignore[method-assign]
    return events


# Where the API listens


def test_plain_path_is_socket() -> None:
    assert parse_endpoint("/run/user/1000/docker.sock") == DockerEndpoint(socket_path="/run/user/1000/docker.sock")


def test_unix_scheme_is_socket() -> None:
    assert parse_endpoint("unix:///var/run/docker.sock").socket_path == "/var/run/docker.sock"


def test_tcp_defaults_to_port_2375() -> None:
    endpoint = parse_endpoint("tcp://socket-proxy")

    assert endpoint.base_url == "http://socket-proxy:2375"
    assert endpoint.socket_path is None


def test_url_keeps_version_prefix() -> None:
    endpoint = parse_endpoint("http://127.0.0.1:12375/v1.47/")

    assert endpoint.url("/containers/json") == "http://127.0.0.1:12375/v1.47/containers/json"


def test_https_defaults_to_port_2376() -> None:
    assert parse_endpoint("https://docker.lan").base_url == "https://docker.lan:2376"


def test_ssh_host_rejected_with_proxy_hint() -> None:
    with pytest.raises(InvalidDockerHost, match="socket proxy"):
        parse_endpoint("ssh://admin@nas")


def test_docker_host_used_without_sock_path() -> None:
    endpoint = find_endpoint(None, {"DOCKER_HOST": "tcp://127.0.0.1:12375"})

    assert endpoint.base_url == "http://127.0.0.1:12375"


def test_sock_path_beats_docker_host() -> None:
    endpoint = find_endpoint("/tmp/docker.sock", {"DOCKER_HOST": "tcp://127.0.0.1:12375"})

    assert endpoint.socket_path == "/tmp/docker.sock"


def test_standard_socket_by_default() -> None:
    assert find_endpoint(None, {}).socket_path == "/var/run/docker.sock"


def test_unsupported_sock_path_rejected_in_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="npipe://"):
        stage_widget(tmp_path, "type: docker-containers\nsock-path: npipe:////./pipe/docker_engine")


def test_defaults_match_reference(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: docker-containers")
    widget = staged.widget
    assert isinstance(widget, DockerContainersWidget)

    assert widget.interval == 15.0
    assert widget.docker_options.timeout == 5.0
    assert widget.title == "Docker Containers"


def test_override_of_unknown_label_rejected(tmp_path: Path) -> None:
    text = "type: docker-containers\ncontainers:\n  jellyfin:\n    colour: red\n"

    with pytest.raises(ConfigError, match="colour"):
        stage_widget(tmp_path, text)


UNSAFE_OVERRIDE = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: docker-containers
            containers:
              old-nginx:
                url: "javascript:alert(1)"
                icon: "javascript:alert(2)"
              files:
                url: ftp://files.lan/
              jellyfin:
                url: /jellyfin/
"""


def test_validate_rejects_unsafe_override_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, UNSAFE_OVERRIDE)

    code = main(["config", "validate"])

    lines = capsys.readouterr().out.splitlines()
    containers = "pages[0].columns[0].widgets[0].containers"
    context = '(in page "Home", docker-containers widget)'
    assert code == 1
    assert lines == [
        f'luna.yml:9:22: {containers}.old-nginx.url: the URL scheme "javascript:" is not allowed in links {context}',
        f'luna.yml:10:23: {containers}.old-nginx.icon: the URL scheme "javascript:" is not allowed in links {context}',
        f'luna.yml:12:22: {containers}.files.url: invalid link "ftp://files.lan/": a container link must be '
        f"an http:// or https:// URL, or a path on this server such as /jellyfin/ {context}",
    ]


# Reading Docker's status text


@pytest.mark.parametrize(
    ("state", "status", "expected"),
    [
        ("running", "Up 3 minutes", ("running", None, None, "up")),
        ("running", "Up 3 minutes (unhealthy)", ("running", "unhealthy", None, "up")),
        ("running", "Up 2 hours (healthy)", ("running", "healthy", None, "up")),
        ("running", "Up 5 seconds (health: starting)", ("running", "starting", None, "up")),
        ("paused", "Up 2 days (Paused)", ("paused", None, None, "up")),
        ("running", "Up 2 days (Paused)", ("paused", None, None, "up")),
        ("restarting", "Restarting (1) 4 seconds ago", ("restarting", None, 1, "restarting")),
        ("exited", "Exited (137) 2 hours ago", ("exited", None, 137, "exited")),
        ("dead", "Dead", ("dead", None, None, None)),
        ("created", "Created", ("created", None, None, None)),
    ],
)
def test_status_text_read(state: str, status: str, expected: tuple[Any, ...]) -> None:
    parsed = parse_status(state, status)

    assert (parsed.state, parsed.health, parsed.exit_code, parsed.phase) == expected


def test_health_field_beats_status_text() -> None:
    assert parse_status("running", "Up 3 minutes", health="unhealthy").health == "unhealthy"


@pytest.mark.parametrize(
    ("phrase", "bounds"),
    [
        ("Less than a second", (0, 1)),
        ("1 second", (1, 2)),
        ("42 seconds", (42, 43)),
        ("About a minute", (60, 120)),
        ("3 minutes", (180, 240)),
        ("About an hour", (3600, 5400)),
        ("3 hours", (9000, 12600)),
        ("2 days", (171000, 257400)),
    ],
)
def test_age_phrase_bounds(phrase: str, bounds: tuple[float, float]) -> None:
    assert parse_age(phrase) == bounds


def test_unknown_age_phrase_gives_none() -> None:
    assert parse_age("a while") is None


def test_since_kept_while_consistent() -> None:
    first = estimate_since("abc:up", (180, 240), NOW, None)

    later = estimate_since("abc:up", (180, 240), NOW + 15, first)

    assert later.shown == first.shown


def test_since_narrows_over_refreshes() -> None:
    first = estimate_since("abc:up", (180, 240), NOW, None)

    later = estimate_since("abc:up", (240, 300), NOW + 30, first)

    assert later.latest - later.earliest < first.latest - first.earliest


def test_since_restarts_after_restart() -> None:
    first = estimate_since("abc:up", (7200, 10800), NOW, None)

    later = estimate_since("abc:up", (5, 6), NOW + 15, first)

    assert later.shown > first.shown + 7000


def test_since_restarts_when_phase_changes() -> None:
    first = estimate_since("abc:up", (180, 240), NOW, None)

    later = estimate_since("abc:exited", (180, 240), NOW, first)

    assert later.key == "abc:exited"


# Rendering from the fake Docker API


def fleet() -> list[dict[str, Any]]:
    return [
        container("jellyfin", labels={"glance.name": "Jellyfin", "glance.url": "https://jellyfin.lan/", "glance.description": "Films"}),
        container("postgres", status="Up 3 minutes (unhealthy)", labels={"luna.parent": "immich"}),
        container("immich_server", labels={"luna.id": "immich", "luna.name": "Immich"}),
        container("immich_redis", labels={"luna.parent": "immich"}),
        container("backup", state="exited", status="Exited (1) 2 hours ago"),
        container("secret", labels={"glance.hide": "true"}),
        container("paperless", state="paused", status="Up 2 days (Paused)"),
    ]


async def test_containers_listed_problems_first(tmp_path: Path) -> None:
    with serve_docker(FakeDocker(fleet()), tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["backup", "Immich", "paperless", "Jellyfin"]


async def test_conditions_marked_per_container(tmp_path: Path) -> None:
    with serve_docker(FakeDocker(fleet()), tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    conditions = [row["class"].split()[-1] for row in rows(html)]
    assert conditions == ["docker-container-warn", "docker-container-warn", "docker-container-paused", "docker-container-ok"]


async def test_children_grouped_under_parent(tmp_path: Path) -> None:
    with serve_docker(FakeDocker(fleet()), tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    immich = rows(html)[1]
    children = [child.select_one(".docker-container-child-name").text for child in immich.select(".docker-container-child")]
    assert children == ["postgres", "immich_redis"]
    assert immich.select_one(".docker-container-status")["title"] == "Running; 1 of 2 related containers need attention"


async def test_parent_details_count_problem_children(tmp_path: Path) -> None:
    with serve_docker(FakeDocker(fleet()), tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    immich, jellyfin = rows(html)[1], rows(html)[3]
    panel = immich.select_one(".docker-container-panel")
    assert panel.select_one(".docker-container-attention").text == "1 of 2 related containers need attention"
    assert jellyfin.select(".docker-container-attention") == []


async def test_unhealthy_child_shown_unhealthy(tmp_path: Path) -> None:
    with serve_docker(FakeDocker(fleet()), tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    postgres = parse_html(html).select(".docker-container-child")[0]
    assert postgres["data-container-health"] == "unhealthy"
    assert postgres.select_one(".docker-container-child-state").text.startswith("Running, unhealthy")


async def test_unhealthy_top_level_container_warns(tmp_path: Path) -> None:
    fake = FakeDocker([container("grafana", status="Up 10 minutes (unhealthy)")])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    row = rows(html)[0]
    assert "docker-container-warn" in row["class"]
    assert row.select_one(".docker-container-status")["title"] == "Running, unhealthy"


async def test_labels_give_link_and_description(tmp_path: Path) -> None:
    with serve_docker(FakeDocker(fleet()), tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    jellyfin = rows(html)[3]
    link = jellyfin.select_one("a.docker-container-name")
    assert link["href"] == "https://jellyfin.lan/"
    assert link["target"] == "_blank"
    assert jellyfin.select_one(".docker-container-description").text == "Films"


async def test_luna_label_beats_glance_label(tmp_path: Path) -> None:
    fake = FakeDocker([container("web", labels={"glance.name": "Glance name", "luna.name": "Luna name"})])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["Luna name"]


async def test_config_override_beats_labels(tmp_path: Path) -> None:
    fake = FakeDocker([container("web", labels={"luna.name": "From label"}), container("db")])
    extra = "containers:\n  web:\n    name: From config\n    same-tab: true\n    url: http://web.lan/\n  db:\n    hide: true\n"
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock, extra)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["From config"]
    assert rows(html)[0].select_one("a.docker-container-name").get("target") is None


async def test_hide_by_default_shows_only_opted_in(tmp_path: Path) -> None:
    fake = FakeDocker([container("web", labels={"glance.hide": "false"}), container("db")])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock, "hide-by-default: true\n")) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["web"]


async def test_category_filters_containers(tmp_path: Path) -> None:
    fake = FakeDocker([container("web", labels={"luna.category": "media"}), container("db"), container("ci")])
    extra = "category: media\ncontainers:\n  ci:\n    category: media\n"
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock, extra)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["ci", "web"]


async def test_container_names_formatted(tmp_path: Path) -> None:
    fake = FakeDocker([container("home_assistant-core")])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock, "format-container-names: true\n")) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["Home Assistant Core"]


async def test_running_only_asks_for_running(tmp_path: Path) -> None:
    fake = FakeDocker(fleet())
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock, "running-only: true\n")) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert fake.requests == ["/containers/json?all=false"]
    assert "backup" not in names(html)


async def test_all_containers_asked_by_default(tmp_path: Path) -> None:
    fake = FakeDocker(fleet())
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            await refreshed_html(runtime, client, widget)

    assert fake.requests == ["/containers/json?all=true"]


async def test_orphan_child_shown_top_level(tmp_path: Path) -> None:
    fake = FakeDocker([container("worker", labels={"luna.parent": "no-such-stack"})])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["worker"]


async def test_hidden_parent_hides_children(tmp_path: Path) -> None:
    fake = FakeDocker(
        [
            container("stack", labels={"luna.id": "stack", "luna.hide": "true"}),
            container("worker", labels={"luna.parent": "stack"}),
            container("web"),
        ]
    )
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["web"]


async def test_container_text_escaped(tmp_path: Path) -> None:
    labels = {"luna.name": "<b>bold</b>", "luna.description": "<script>alert(1)</script>"}
    fake = FakeDocker([container("web", labels=labels)])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    row = rows(html)[0]
    assert row.select("b") == []
    assert row.select("script") == []
    assert row.select_one(".docker-container-name").text == "<b>bold</b>"


async def test_unsafe_url_label_ignored(tmp_path: Path) -> None:
    fake = FakeDocker([container("web", labels={"luna.url": "javascript:alert(1)"})])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert rows(html)[0].select("a") == []


async def test_unsafe_url_label_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeDocker([container("web", labels={"luna.url": "javascript:alert(1)"}), container("db")])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            for _ in range(3):
                await refreshed_html(runtime, client, widget)

    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert warnings == [
        'docker-containers "Docker Containers": container "web": ignoring the label luna.url: '
        'the URL scheme "javascript:" is not allowed in links'
    ]


async def test_changed_bad_label_logged_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeDocker([container("web", labels={"glance.url": "javascript:alert(1)"})])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            await refreshed_html(runtime, client, widget)
            fake.containers[0] = container("web", labels={"glance.url": "ftp://web.lan/"})
            await refreshed_html(runtime, client, widget)

    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(warnings) == 2
    assert "ignoring the label glance.url: invalid link" in warnings[1]


async def test_icon_label_becomes_image(tmp_path: Path) -> None:
    fake = FakeDocker([container("web", labels={"luna.icon": "/assets/web.png"}), container("db")])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert rows(html)[1].select_one(".docker-container-icon img")["src"] == "/assets/web.png"
    assert rows(html)[0].select(".docker-container-icon img") == []


async def test_start_time_rendered_as_timestamp(tmp_path: Path) -> None:
    with serve_docker(FakeDocker([container("web", status="Up 3 minutes")]), tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)
            now = runtime.clock.now()

    since = rows(html)[0].select_one("[data-relative-time]")
    assert since["data-relative-prefix"] == "started "
    assert now - 245 <= int(since["data-relative-time"]) <= now - 175
    assert "3 minutes" not in html


async def test_markup_well_nested(tmp_path: Path) -> None:
    with serve_docker(FakeDocker(fleet()), tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert nesting_problems(html) == []


async def test_no_containers_message(tmp_path: Path) -> None:
    with serve_docker(FakeDocker([]), tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock, "running-only: true\n")) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert parse_html(html).select_one(".widget-empty").text == "No running containers."


# Live: what changes the HTML, and what does not


async def test_stopped_container_changes_html(tmp_path: Path) -> None:
    fake = FakeDocker([container("web"), container("db")])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            events = record_events(runtime)
            before = await refreshed_html(runtime, client, widget)
            fake.containers[1] = container("db", state="exited", status="Exited (0) 5 seconds ago")
            await runtime.clock.advance(15)
            after = await refreshed_html(runtime, client, widget)

    assert before != after
    assert rows(after)[0]["data-container-state"] == "exited"
    assert [event.type for event in events].count(WIDGET_UPDATED) == 2


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("Up 3 minutes (healthy)", "Up 3 minutes (unhealthy)", id="unhealthy-turn"),
        pytest.param("Up 2 hours", "Up 4 seconds", id="restart"),
    ],
)
async def test_status_change_pushes_update(tmp_path: Path, before: str, after: str) -> None:
    fake = FakeDocker([container("web", status=before)])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            await refreshed_html(runtime, client, widget)
            events = record_events(runtime)
            fake.containers[0] = container("web", status=after)
            await runtime.clock.advance(15)
            await refreshed_html(runtime, client, widget)

    assert [event.type for event in events] == [WIDGET_UPDATED]


async def test_ageing_status_keeps_html(tmp_path: Path) -> None:
    fake = FakeDocker([container("web", status="Up 3 minutes"), container("old", state="exited", status="Exited (0) 2 hours ago")])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            first = await refreshed_html(runtime, client, widget)
            events = record_events(runtime)
            for minutes in range(4, 9):
                fake.containers[0] = container("web", status=f"Up {minutes} minutes")
                await runtime.clock.advance(60)
                last = await refreshed_html(runtime, client, widget)

    assert last == first
    assert events == []


# Failures the page explains


async def test_missing_socket_named(tmp_path: Path) -> None:
    sock = tmp_path / "absent.sock"
    async with refreshed_by_test(tmp_path, widget_yaml(str(sock))) as (runtime, client, widget):
        html = await refreshed_html(runtime, client, widget)
        page = await client.get("/")

    assert error_reason(html).startswith(f"Docker socket {sock} not found")
    assert page.status_code == 200


async def test_recovers_once_socket_appears(tmp_path: Path) -> None:
    sock = tmp_path / "docker.sock"
    async with refreshed_by_test(tmp_path, widget_yaml(str(sock))) as (runtime, client, widget):
        await refreshed_html(runtime, client, widget)
        with serve_docker(FakeDocker([container("web")]), sock):
            await runtime.clock.advance(15)
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["web"]
    assert parse_html(html).select(".widget-error") == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file modes, so a mode 0000 socket still connects")
async def test_unreadable_socket_permission_denied(tmp_path: Path) -> None:
    sock = tmp_path / "docker.sock"
    with serve_docker(FakeDocker([container("web")]), sock):
        sock.chmod(0)
        async with refreshed_by_test(tmp_path, widget_yaml(str(sock))) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert error_reason(html).startswith(f"Permission denied on the Docker socket {sock}")


async def test_permission_denied_names_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def denied(*arguments: object) -> tuple[int, bytes]:
        try:
            raise PermissionError(errno.EACCES, "Permission denied")
        except PermissionError as error:
            raise httpx.ConnectError("[Errno 13] Permission denied") from error

    monkeypatch.setattr(docker_api, "_get", denied)
    async with refreshed_by_test(tmp_path, widget_yaml("/var/run/docker.sock")) as (runtime, client, widget):
        reason = error_reason(await refreshed_html(runtime, client, widget))

    assert reason.startswith("Permission denied on the Docker socket /var/run/docker.sock")
    assert "socket's group" in reason
    assert "socket proxy" in reason


async def test_nothing_listening_on_socket(tmp_path: Path) -> None:
    import socket

    sock = tmp_path / "docker.sock"
    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(str(sock))
    async with refreshed_by_test(tmp_path, widget_yaml(str(sock))) as (runtime, client, widget):
        reason = error_reason(await refreshed_html(runtime, client, widget))

    assert reason == f"Nothing listens on the Docker socket {sock}: is the Docker daemon running?"


async def test_slow_api_times_out_clearly(tmp_path: Path) -> None:
    fake = FakeDocker([container("web")], delay=3.0)
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock, "timeout: 200ms\n")) as (runtime, client, widget):
            reason = error_reason(await refreshed_html(runtime, client, widget))

    assert reason == "Docker API did not answer within 0.2 s"


async def test_slow_large_list_within_default(tmp_path: Path) -> None:
    fake = FakeDocker([container(f"service-{index:03}") for index in range(120)], delay=4.0)
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert len(rows(html)) == 120


async def test_stale_data_kept_after_failure(tmp_path: Path) -> None:
    fake = FakeDocker([container("web")])
    with serve_docker(fake, tmp_path / "docker.sock") as sock:
        async with refreshed_by_test(tmp_path, widget_yaml(sock)) as (runtime, client, widget):
            await refreshed_html(runtime, client, widget)
            fake.status, fake.body = 500, '{"message": "daemon is shutting down"}'
            await runtime.clock.advance(15)
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["web"]
    marker = parse_html(html).select_one(".widget-stale-marker")
    assert "Docker API returned status 500 for /containers/json: daemon is shutting down" in marker["title"]


# A socket proxy over TCP


async def test_proxy_over_tcp_lists(tmp_path: Path) -> None:
    with serve_docker(FakeDocker([container("web")], prefixes=("", "/v1.47"))) as address:
        async with refreshed_by_test(tmp_path, widget_yaml(address)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["web"]


async def test_versioned_path_lists(tmp_path: Path) -> None:
    fake = FakeDocker([container("web")], prefixes=("", "/v1.47"))
    with serve_docker(fake) as address:
        async with refreshed_by_test(tmp_path, widget_yaml(address + "/v1.47")) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["web"]
    assert fake.requests == ["/v1.47/containers/json?all=true"]


async def test_docker_host_environment_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve_docker(FakeDocker([container("web")])) as address:
        monkeypatch.setenv("DOCKER_HOST", address)
        async with refreshed_by_test(tmp_path, "type: docker-containers\n") as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert names(html) == ["web"]


async def test_unusable_docker_host_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "ssh://admin@nas")
    async with refreshed_by_test(tmp_path, "type: docker-containers\n") as (runtime, client, widget):
        reason = error_reason(await refreshed_html(runtime, client, widget))

    assert reason.startswith('DOCKER_HOST "ssh://admin@nas" uses ssh://')


@pytest.mark.parametrize("status", [403, 404])
async def test_proxy_refusal_explained_not_rendered(tmp_path: Path, status: int) -> None:
    fake = FakeDocker([container("web")], status=status, body=PROXY_FORBIDDEN_PAGE)
    with serve_docker(fake) as address:
        async with refreshed_by_test(tmp_path, widget_yaml(address)) as (runtime, client, widget):
            html = await refreshed_html(runtime, client, widget)

    assert error_reason(html) == f"Docker API refused /containers/json ({status}): check the socket proxy's permissions"
    assert parse_html(html).select("h1") == []
    assert "Request forbidden" not in html


async def test_non_json_reply_explained(tmp_path: Path) -> None:
    fake = FakeDocker(status=200, body="<html>welcome to nginx</html>")
    with serve_docker(fake) as address:
        async with refreshed_by_test(tmp_path, widget_yaml(address)) as (runtime, client, widget):
            reason = error_reason(await refreshed_html(runtime, client, widget))

    assert reason == f"Docker API at http://{address.removeprefix('tcp://')} sent a reply that is not JSON; is sock-path pointing at Docker?"


async def test_refused_tcp_connection_explained(tmp_path: Path) -> None:
    from tests.support.servers import free_port

    address = f"tcp://127.0.0.1:{free_port()}"
    async with refreshed_by_test(tmp_path, widget_yaml(address)) as (runtime, client, widget):
        reason = error_reason(await refreshed_html(runtime, client, widget))

    assert reason.endswith("refused: is the socket proxy running?")


def test_public_data_lists_children(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, "type: docker-containers")
    widget = staged.widget
    assert isinstance(widget, DockerContainersWidget)
    from luna.widgets.docker_containers import build_containers, merge_labels

    raw = [merge_labels(entry, {}) for entry in fleet()]
    data = build_containers(raw, widget.docker_options, {}, NOW)
    staged.show(staged.widget.state.after_success(data, NOW))

    immich = widget.public_data()["containers"][1]
    assert immich["name"] == "Immich"
    assert [child["name"] for child in immich["children"]] == ["postgres", "immich_redis"]
