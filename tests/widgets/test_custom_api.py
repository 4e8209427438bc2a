"""custom-api: requests, subrequests, template errors and limits, stale output and change events.

Every request goes to a fake JSON API on 127.0.0.1 (tests/support/json_api.py).
The community widgets that run unchanged are in test_custom_api_community.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import textwrap
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from luna.cli import main
from luna.clock import ManualClock
from luna.config.errors import ConfigError
from luna.events.subscriber import Subscriber
from luna.runtime import Runtime
from luna.widgets.custom_api import DEFAULT_INTERVAL, CustomApiOutput, CustomApiWidget, Limits, go_json
from luna.widgets.upstream import REQUEST_TIMEOUT, redact_url, replace_query
from tests.support.dashboards import load_text, running_dashboard, write_config
from tests.support.html import Element, parse_html
from tests.support.json_api import JsonApi, json_api
from tests.support.upstreams import Certificates, http_upstream
from tests.support.widgets import page_with_widget, stage_widget

SECRET = "s3cr3t-token-value"
NO_COALESCING = "server:\n  events:\n    coalesce-window: 0s\n"


def widget_yaml(url: str | None, template: str, extra: str = "") -> str:
    """A custom-api widget for `url` (none: the template sends its own requests); `template` and `extra` are YAML text."""

    body = textwrap.indent(textwrap.dedent(template).strip("\n"), "  ")
    url_line = f"url: {url}\n" if url else ""
    return f"type: custom-api\ntitle: NAS\n{url_line}{textwrap.dedent(extra)}template: |\n{body}\n"


@asynccontextmanager
async def dashboard(tmp_path: Path, *widgets: str, top: str = "") -> AsyncIterator[tuple[Runtime, list[CustomApiWidget]]]:
    """A started dashboard with these widgets in one column; nothing refreshes until the test calls for it."""

    text = page_with_widget(widgets[0], top)
    for extra in widgets[1:]:
        text += page_with_widget(extra).split("widgets:\n", 1)[1]
    async with running_dashboard(tmp_path, text) as (runtime, _client):
        yield runtime, list(runtime.dashboard.first_page.columns[0][1])


async def refresh(runtime: Runtime, widget: CustomApiWidget) -> Element:
    """Refresh the widget once and return its rendered outer element."""

    assert runtime.scheduler is not None
    await runtime.scheduler.refresh_once(widget)
    assert widget.rendered is not None
    return parse_html(widget.rendered.html).select_one(".widget")


async def refresh_past_timeout(runtime: Runtime, widget: CustomApiWidget, api: JsonApi, path: str) -> Element:
    """Refresh the widget while `path` hangs, moving the clock past the request timeout once it is asked."""

    assert runtime.scheduler is not None
    assert isinstance(runtime.clock, ManualClock)
    refreshing = asyncio.create_task(runtime.scheduler.refresh_once(widget))
    await api.wait_for_request(path)
    await runtime.clock.advance(REQUEST_TIMEOUT)
    await refreshing

    assert widget.rendered is not None
    return parse_html(widget.rendered.html).select_one(".widget")


async def refreshed(tmp_path: Path, widget: str) -> tuple[Element, CustomApiWidget]:
    async with dashboard(tmp_path, widget) as (runtime, widgets):
        element = await refresh(runtime, widgets[0])
    return element, widgets[0]


def content_text(element: Element) -> str:
    return " ".join(element.select_one(".widget-content").text.split())


def error_reason(element: Element) -> str:
    return element.select_one(".widget-error-reason").text


# Requests


async def test_get_renders_json_fields(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/status", {"name": "NAS", "disks": [{"name": "sda"}, {"name": "sdb"}]})
        template = '<p>{{ .JSON.String "name" }}</p>{{ range .JSON.Array "disks" }}<i>{{ .String "name" }}</i>{{ end }}'
        element, _ = await refreshed(tmp_path, widget_yaml(api.url("/status"), template))

    assert element.select_one(".custom-api p").text == "NAS"
    assert [item.text for item in element.select(".custom-api i")] == ["sda", "sdb"]
    assert api.received("/status")[0].method == "GET"


async def test_post_json_body_sent(tmp_path: Path) -> None:
    extra = """\
        body:
          query: "{ me { name } }"
          variables: {limit: 5, tag: "<b>"}
        """
    with json_api() as api:
        api.reply("/graphql", {"data": {"me": {"name": "Ada"}}})
        await refreshed(tmp_path, widget_yaml(api.url("/graphql"), '{{ .JSON.String "data.me.name" }}', extra))

    request = api.received("/graphql")[0]
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.body == b'{"query":"{ me { name } }","variables":{"limit":5,"tag":"\\u003cb\\u003e"}}'


async def test_string_body_sent_as_written(tmp_path: Path) -> None:
    extra = """\
        body-type: string
        body: "cmd=status&verbose=1"
        headers:
          Content-Type: application/x-www-form-urlencoded
        """
    with json_api() as api:
        api.reply("/rpc", {"ok": True})
        await refreshed(tmp_path, widget_yaml(api.url("/rpc"), "ok", extra))

    request = api.received("/rpc")[0]
    assert request.method == "POST"
    assert request.body == b"cmd=status&verbose=1"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


async def test_method_replaces_post_default(tmp_path: Path) -> None:
    extra = "method: put\nbody: {enabled: true}\n"
    with json_api() as api:
        api.reply("/toggle", {})
        await refreshed(tmp_path, widget_yaml(api.url("/toggle"), "ok", extra))

    assert api.received("/toggle")[0].method == "PUT"


async def test_parameters_replace_url_query(tmp_path: Path) -> None:
    extra = """\
        parameters:
          user: ada lovelace
          tags: [nas, backup]
          per_page: 6
          exclude_pull_requests: true
        """
    with json_api() as api:
        api.reply("/search", [])
        await refreshed(tmp_path, widget_yaml(api.url("/search?limit=5"), "ok", extra))

    assert api.received("/search")[0].query == [
        ("exclude_pull_requests", "true"),
        ("per_page", "6"),
        ("tags", "nas"),
        ("tags", "backup"),
        ("user", "ada lovelace"),
    ]


async def test_url_query_kept_without_parameters(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/search", [])
        await refreshed(tmp_path, widget_yaml(api.url("/search?limit=5&sort=new"), "ok"))

    assert api.received("/search")[0].query == [("limit", "5"), ("sort", "new")]


async def test_headers_sent(tmp_path: Path) -> None:
    extra = f"headers:\n  Authorization: Bearer {SECRET}\n  X-Api-Version: 2\n"
    with json_api() as api:
        api.reply("/me", {})
        await refreshed(tmp_path, widget_yaml(api.url("/me"), "ok", extra))

    headers = api.received("/me")[0].headers
    assert headers["authorization"] == f"Bearer {SECRET}"
    assert headers["x-api-version"] == "2"
    assert headers["user-agent"].startswith("luna/")


async def test_user_content_type_replaces_default(tmp_path: Path) -> None:
    extra = "body: {query: status}\nheaders:\n  content-type: text/plain\n"
    with json_api() as api:
        api.reply("/rpc", {})
        await refreshed(tmp_path, widget_yaml(api.url("/rpc"), "ok", extra))

    request = api.received("/rpc")[0]
    assert request.header_values("Content-Type") == ["text/plain"]
    assert request.body == b'{"query":"status"}'


async def test_user_agent_header_sent_once(tmp_path: Path) -> None:
    extra = "headers:\n  USER-AGENT: dashboard-test\n"
    with json_api() as api:
        api.reply("/me", {})
        await refreshed(tmp_path, widget_yaml(api.url("/me"), "ok", extra))

    assert api.received("/me")[0].header_values("User-Agent") == ["dashboard-test"]


async def test_template_sees_response_headers(tmp_path: Path) -> None:
    template = '{{ .Response.StatusCode }} {{ .Response.Header.Get "x-total-count" }}'
    with json_api() as api:
        api.reply("/items", [], headers={"X-Total-Count": "42"})
        element, _ = await refreshed(tmp_path, widget_yaml(api.url("/items"), template))

    assert content_text(element) == "200 42"


async def test_widget_without_url_renders(tmp_path: Path) -> None:
    yaml = 'type: custom-api\ntemplate: "<b>{{ .Response.StatusCode }}</b>"\n'
    element, _ = await refreshed(tmp_path, yaml)

    assert element.select_one(".custom-api b").text == "0"


# Subrequests


async def test_subrequests_fetched_with_primary(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/pools", [{"name": "tank"}])
        api.reply("/datasets", [{"name": "tank/media"}])
        api.reply("/alerts", {"count": 2})
        extra = f"""\
            subrequests:
              datasets:
                url: {api.url("/datasets")}
                headers: {{Authorization: Bearer {SECRET}}}
              alerts:
                url: {api.url("/alerts")}
                parameters: {{level: warning}}
            """
        template = """\
            {{ range .JSON.Array "" }}<p>{{ .String "name" }}</p>{{ end }}
            {{ range (.Subrequest "datasets").JSON.Array "" }}<i>{{ .String "name" }}</i>{{ end }}
            <b>{{ (.Subrequest "alerts").JSON.Int "count" }}</b>
            """
        element, _ = await refreshed(tmp_path, widget_yaml(api.url("/pools"), template, extra))

    assert element.select_one(".custom-api p").text == "tank"
    assert element.select_one(".custom-api i").text == "tank/media"
    assert element.select_one(".custom-api b").text == "2"
    assert api.received("/datasets")[0].headers["authorization"] == f"Bearer {SECRET}"
    assert api.received("/alerts")[0].query == [("level", "warning")]


async def test_subrequest_content_type_replaces_default(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/pools", [])
        api.reply("/query", {})
        extra = f"""\
            subrequests:
              query:
                url: {api.url("/query")}
                body: {{pool: tank}}
                headers: {{CONTENT-TYPE: application/vnd.api+json}}
            """
        await refreshed(tmp_path, widget_yaml(api.url("/pools"), "ok", extra))

    assert api.received("/query")[0].header_values("content-type") == ["application/vnd.api+json"]


async def test_failing_subrequest_fails_round(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/pools", [{"name": "tank"}])
        api.reply("/datasets", "<html>Bad gateway</html>", status=502)
        extra = f"subrequests:\n  datasets:\n    url: {api.url('/datasets')}\n"
        element, widget = await refreshed(tmp_path, widget_yaml(api.url("/pools"), "<p>shown</p>", extra))

    assert error_reason(element) == 'subrequest "datasets": the API answered 502 Bad Gateway'
    assert element.select(".custom-api") == []
    assert widget.state.failures == 1


# Responses the template does not get


async def test_error_status_with_json_reaches_template(tmp_path: Path) -> None:
    template = '{{ if ne .Response.StatusCode 200 }}<p>failed: {{ .JSON.String "message" }}</p>{{ end }}'
    with json_api() as api:
        api.reply("/me", {"message": "invalid token"}, status=401)
        element, _ = await refreshed(tmp_path, widget_yaml(api.url("/me"), template))

    assert element.select_one(".custom-api p").text == "failed: invalid token"


async def test_error_status_with_text_fails(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/me", "upstream is restarting", status=503)
        element, _ = await refreshed(tmp_path, widget_yaml(api.url("/me"), "ok"))

    assert error_reason(element) == "the API answered 503 Service Unavailable"


async def test_non_json_body_rejected(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/me", "<!DOCTYPE html><html><body>Login</body></html>")
        element, _ = await refreshed(tmp_path, widget_yaml(api.url("/me"), "ok"))

    assert error_reason(element).startswith('not JSON: the API answered "<!DOCTYPE html><html><body>Login</body></html>"')
    assert "skip-json-validation: true" in error_reason(element)


async def test_skip_json_validation_reads_lines(tmp_path: Path) -> None:
    lines = '{"name": "Steve", "age": 30}\n{"name": "Alex", "age": 25}\n'
    template = '{{ range .JSONLines }}<p>{{ .String "name" }} {{ .Int "age" }}</p>{{ end }}'
    with json_api() as api:
        api.reply("/people", lines)
        element, _ = await refreshed(tmp_path, widget_yaml(api.url("/people"), template, "skip-json-validation: true\n"))

    assert [p.text for p in element.select(".custom-api p")] == ["Steve 30", "Alex 25"]


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "streamed"])
async def test_response_size_capped(tmp_path: Path, streamed: bool) -> None:
    with json_api() as api:
        api.reply("/big", {"padding": "x" * 4096}, streamed=streamed)
        async with dashboard(tmp_path, widget_yaml(api.url("/big"), "ok")) as (runtime, widgets):
            widgets[0].limits = Limits(response_bytes=2048)
            element = await refresh(runtime, widgets[0])

    assert error_reason(element) == "the response exceeds 2 KB"


async def test_request_timeout_on_clock(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/slow", {}, hang=True)
        async with dashboard(tmp_path, widget_yaml(api.url("/slow"), "ok")) as (runtime, widgets):
            element = await refresh_past_timeout(runtime, widgets[0], api, "/slow")

    assert error_reason(element) == f"no response within {REQUEST_TIMEOUT:g}s"


async def test_unreachable_api_reason(tmp_path: Path) -> None:
    element, _ = await refreshed(tmp_path, widget_yaml("http://127.0.0.1:9/api", "ok"))

    assert error_reason(element) == "connection refused"


@pytest.mark.parametrize("allow_insecure", [False, True])
async def test_self_signed_needs_allow_insecure(tmp_path: Path, allow_insecure: bool) -> None:
    tls = Certificates(tmp_path).self_signed()
    with http_upstream(tls=tls) as upstream:
        upstream.route("/status", body=b'{"state": "ok"}')
        extra = "allow-insecure: true\n" if allow_insecure else ""
        element, _ = await refreshed(tmp_path, widget_yaml(upstream.url("/status"), '<p>{{ .JSON.String "state" }}</p>', extra))

    if allow_insecure:
        assert element.select_one(".custom-api p").text == "ok"
    else:
        assert error_reason(element).startswith("TLS certificate not trusted (self-signed certificate)")
        assert error_reason(element).endswith("set allow-insecure: true to accept it")


async def test_failed_fetch_keeps_output_stale(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/nas", {"state": "healthy"})
        template = '<p>{{ .JSON.String "state" }}</p>'
        async with dashboard(tmp_path, widget_yaml(api.url("/nas"), template)) as (runtime, widgets):
            await refresh(runtime, widgets[0])
            api.reply("/nas", "Service Unavailable", status=503)
            element = await refresh(runtime, widgets[0])

    assert element.has_class("widget-is-stale")
    assert element.select_one(".custom-api p").text == "healthy"
    assert "the API answered 503 Service Unavailable" in element.select_one(".widget-stale-marker")["title"]


# Secrets


async def test_secrets_absent_from_errors_and_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    extra = f"headers:\n  Authorization: Bearer {SECRET}\n  X-Api-Key: {SECRET}\n"
    with json_api() as api:
        api.reply("/text", "<html>oops</html>", status=500)
        async with dashboard(tmp_path, widget_yaml(api.url(f"/text?apikey={SECRET}&page=2"), "ok", extra)) as (
            runtime,
            widgets,
        ):
            first = await refresh(runtime, widgets[0])
            api.reply("/text", "plain text, not JSON")
            second = await refresh(runtime, widgets[0])

    assert api.received("/text")[0].headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in first.raw_text
    assert SECRET not in second.raw_text
    assert SECRET not in caplog.text
    assert "apikey=***&page=2" in caplog.text


async def test_template_request_secret_not_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    template = f"""\
        {{{{ $r := newRequest "http://127.0.0.1:9/api?token={SECRET}" | withHeader "X-Api-Key" "{SECRET}" | getResponse }}}}
        <p>{{{{ $r.Response.Status }}}}</p>
        """
    yaml = widget_yaml(None, template)

    element, _ = await refreshed(tmp_path, yaml)

    assert element.select_one(".custom-api p").text == "connection refused"
    assert "template request to http://127.0.0.1:9/api?… failed" in caplog.text
    assert SECRET not in caplog.text


def test_redacted_url_hides_credentials() -> None:
    url = "https://admin:hunter2@nas.lan:8443/api/v2?apikey=abc&cmd=get&X-Plex-Token=xyz&auth_token=q"

    assert redact_url(url) == "https://nas.lan:8443/api/v2?apikey=***&cmd=get&X-Plex-Token=***&auth_token=***"


# Template execution


async def test_execution_error_shown_page_renders(tmp_path: Path) -> None:
    broken = widget_yaml(None, '<p>{{ (.Subrequest "missing").JSON.String "x" }}</p>')
    async with running_dashboard(tmp_path, page_with_widget(broken) + "          - type: clock\n") as (runtime, client):
        widget = runtime.dashboard.first_page.columns[0][1][0]
        assert runtime.scheduler is not None
        await runtime.scheduler.refresh_once(widget)
        page = await client.get("/api/pages/test/content/")

    document = parse_html(page.text)
    reason = document.select_one(".widget-type-custom-api .widget-error-reason").text
    assert page.status_code == 200
    assert reason == (
        "template error at line 1, column 8: executing 'template' at <.Subrequest>: "
        "error calling Subrequest: subrequest with key 'missing' has not been defined"
    )
    assert document.select(".widget-type-clock") != []


async def test_template_output_escaped(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/post", {"title": "<script>alert(1)</script>", "link": "javascript:alert(1)"})
        template = '<a href="{{ .JSON.String "link" }}">{{ .JSON.String "title" }}</a>'
        element, _ = await refreshed(tmp_path, widget_yaml(api.url("/post"), template))

    link = element.select_one(".custom-api a")
    assert element.select("script") == []
    assert link.text == "<script>alert(1)</script>"
    assert link["href"] == "#ZgotmplZ"


UNCLOSED_TEMPLATE = '<div class="flex"><span>unclosed'
TWO_COLUMNS = """
pages:
  - name: Test
    columns:
      - size: small
        widgets:
          - type: custom-api
            title: Broken
            template: '<div class="flex"><span>unclosed'
          - type: html
            source: <p class="note">Bins on Tuesday</p>
          - type: clock
      - size: full
        widgets:
          - type: calendar
"""


async def test_unclosed_output_keeps_later_widgets_placed(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, TWO_COLUMNS) as (runtime, client):
        assert runtime.scheduler is not None
        await runtime.scheduler.refresh_once(runtime.dashboard.first_page.columns[0][1][0])
        page = await client.get("/")

    columns = parse_html(page.text).select(".page-columns .page-column")
    first_column_widgets = [widget["class"].split()[1] for widget in columns[0].select(".widget")]
    second_column_widgets = [widget["class"].split()[1] for widget in columns[1].select(".widget")]

    assert first_column_widgets == ["widget-type-custom-api", "widget-type-html", "widget-type-clock"]
    assert [widget.parent for widget in columns[0].select(".widget")] == [columns[0]] * 3
    assert second_column_widgets == ["widget-type-calendar"]
    assert columns[0].select_one(".widget-type-custom-api .custom-api span").text == "unclosed"


async def test_stray_end_tag_dropped_from_output(tmp_path: Path) -> None:
    element, widget = await refreshed(tmp_path, widget_yaml(None, "<p>one</p></div></div><p>two</p>"))

    assert isinstance(widget.state.data, CustomApiOutput)
    assert widget.state.data.html == "<p>one</p><p>two</p>\n"
    assert [paragraph.text for paragraph in element.select(".custom-api p")] == ["one", "two"]


async def test_unbalanced_output_warned_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with dashboard(tmp_path, widget_yaml(None, UNCLOSED_TEMPLATE)) as (runtime, widgets):
        with caplog.at_level(logging.WARNING, logger="luna.widgets.user_html"):
            for _ in range(3):
                await refresh(runtime, widgets[0])

    warnings = [record.getMessage() for record in caplog.records if record.name == "luna.widgets.user_html"]
    assert warnings == [
        'custom-api "NAS": unbalanced HTML in the template output: <div> (line 1, column 1), '
        "<span> (line 1, column 19) never closed, so luna closed them at the end"
    ]


async def test_template_time_limit(tmp_path: Path) -> None:
    ticks = iter(range(1_000_000))
    items = [{"n": index} for index in range(50)]
    with json_api() as api:
        api.reply("/items", items)
        template = '{{ range .JSON.Array "" }}{{ .Int "n" }}{{ end }}'
        async with dashboard(tmp_path, widget_yaml(api.url("/items"), template)) as (runtime, widgets):
            # Each reading of the interpreter's timer is one second later.
            widgets[0].execution_timer = lambda: float(next(ticks))
            element = await refresh(runtime, widgets[0])

    assert error_reason(element).startswith("the template execution passed its time limit (template line 1)")


async def test_template_output_limit(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/items", [{"name": "x" * 100}] * 20)
        template = '{{ range .JSON.Array "" }}<p>{{ .String "name" }}</p>{{ end }}'
        async with dashboard(tmp_path, widget_yaml(api.url("/items"), template)) as (runtime, widgets):
            widgets[0].limits = Limits(template_output=1000)
            element = await refresh(runtime, widgets[0])

    assert error_reason(element).startswith("the template output passed its limit of 1000 characters")


async def test_template_request_uses_widget_client(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/token", {"token": "abc"})
        api.reply("/items", [{"name": "disk"}])
        template = f"""\
            {{{{ $items := newRequest "{api.url('/items')}"
                 | withHeader "Authorization" (concat "Bearer " (.JSON.String "token"))
                 | withParameter "limit" "5"
                 | getResponse }}}}
            <p>{{{{ $items.Response.StatusCode }}}} {{{{ $items.JSON.String "0.name" }}}}</p>
            """
        element, _ = await refreshed(tmp_path, widget_yaml(api.url("/token"), template))

    request = api.received("/items")[0]
    assert element.select_one(".custom-api p").text == "200 disk"
    assert request.headers["authorization"] == "Bearer abc"
    assert request.headers["user-agent"].startswith("luna/")
    assert request.query == [("limit", "5")]


async def test_template_header_replaces_same_name(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/start", {})
        api.reply("/rpc", {})
        template = f"""\
            {{{{ $r := newRequest "{api.url('/rpc')}"
                 | withHeader "Content-Type" "application/json"
                 | withHeader "content-type" "text/plain"
                 | withHeader "user-agent" "dashboard-test"
                 | withStringBody "status"
                 | getResponse }}}}
            <p>{{{{ $r.Response.StatusCode }}}}</p>
            """
        element, _ = await refreshed(tmp_path, widget_yaml(api.url("/start"), template))

    request = api.received("/rpc")[0]
    assert element.select_one(".custom-api p").text == "200"
    assert request.header_values("Content-Type") == ["text/plain"]
    assert request.header_values("User-Agent") == ["dashboard-test"]


async def test_template_requests_with_busy_default_executor(tmp_path: Path) -> None:
    # Templates waiting in getResponse must not hold the threads that DNS lookups of their requests need.
    executor = ThreadPoolExecutor(max_workers=1)
    asyncio.get_running_loop().set_default_executor(executor)
    try:
        with json_api() as api:
            api.reply("/item", {"name": "disk"})
            url = api.url("/item").replace("127.0.0.1", "localhost")
            template = f'<p>{{{{ (newRequest "{url}" | getResponse).JSON.String "name" }}}}</p>'
            element, _ = await refreshed(tmp_path, widget_yaml(None, template))
    finally:
        executor.shutdown(wait=False)

    assert element.select_one(".custom-api p").text == "disk"


async def test_template_request_failure_in_status(tmp_path: Path) -> None:
    template = f"""\
        {{{{ $r := newRequest "http://127.0.0.1:9/down" | getResponse }}}}
        <p>{{{{ $r.Response.StatusCode }}}}: {{{{ $r.Response.Status }}}}</p>
        """
    element, _ = await refreshed(tmp_path, widget_yaml(None, template))

    assert element.select_one(".custom-api p").text == "0: connection refused"


async def test_template_request_timeout_on_clock(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/slow", {}, hang=True)
        template = f'{{{{ $r := newRequest "{api.url("/slow")}" | getResponse }}}}<p>{{{{ $r.Response.Status }}}}</p>'
        yaml = widget_yaml(None, template)
        async with dashboard(tmp_path, yaml) as (runtime, widgets):
            element = await refresh_past_timeout(runtime, widgets[0], api, "/slow")

    assert element.select_one(".custom-api p").text == f"no response within {REQUEST_TIMEOUT:g}s"


async def test_template_request_size_capped(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/big", {"padding": "x" * 4096})
        template = f'{{{{ $r := newRequest "{api.url("/big")}" | getResponse }}}}<p>{{{{ $r.Response.Status }}}}</p>'
        yaml = widget_yaml(None, template)
        async with dashboard(tmp_path, yaml) as (runtime, widgets):
            widgets[0].limits = Limits(response_bytes=2048)
            element = await refresh(runtime, widgets[0])

    assert element.select_one(".custom-api p").text == "the response exceeds 2 KB"


async def test_template_requests_time_limit(tmp_path: Path) -> None:
    ticks = iter(range(1_000_000))
    with json_api() as api:
        api.reply("/item", {"ok": True})
        get = f'{{{{ (newRequest "{api.url("/item")}" | getResponse).JSON.Bool "ok" }}}}'
        yaml = widget_yaml(None, get * 4)
        async with dashboard(tmp_path, yaml) as (runtime, widgets):
            # Each reading of the timer is one second later, so each request takes one second.
            widgets[0].execution_timer = lambda: float(next(ticks))
            widgets[0].limits = Limits(template_time=1e9, template_requests_time=2.5)
            element = await refresh(runtime, widgets[0])

    assert len(api.received("/item")) == 3
    assert "the template's requests took 3s together, more than the 2.5s allowed" in error_reason(element)


async def test_options_reach_template(tmp_path: Path) -> None:
    extra = """\
        options:
          label: Disks
          limit: 2
          show-model: false
          thresholds: {warn: 45, crit: 55}
        """
    template = """\
        <p>{{ .Options.StringOr "label" "x" }} {{ .Options.IntOr "limit" 9 }} {{ .Options.BoolOr "show-model" true }}</p>
        <i>{{ .Options.StringOr "missing" "fallback" }} {{ .Options.JSON "thresholds" }}</i>
        """
    element, _ = await refreshed(tmp_path, widget_yaml(None, template, extra))

    assert element.select_one(".custom-api p").text == "Disks 2 false"
    assert element.select_one(".custom-api i").text == 'fallback {"crit":55,"warn":45}'


async def test_frameless_option(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, widget_yaml("http://127.0.0.1:9/api", "ok", "frameless: true\n"))

    element = staged.show(staged.widget.state.after_success(CustomApiOutput("<p>x</p>", True), 0.0))

    assert element.select_one(".widget-content").has_class("widget-content-frameless")


def test_default_interval_one_hour(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, widget_yaml("http://127.0.0.1:9/api", "ok"))

    assert staged.widget.interval == DEFAULT_INTERVAL == 3600.0


def test_cache_sets_interval(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, widget_yaml("http://127.0.0.1:9/api", "ok", "cache: 5m\n"))

    assert staged.widget.interval == 300.0


# Change events


def events_of(subscriber: Subscriber, kind: str) -> list[dict]:
    """The events of one type that reached the subscriber since the last call."""

    return [message["data"] for message in _drain(subscriber) if message["type"] == kind]


def _drain(subscriber: Subscriber) -> list[dict]:
    messages = []
    chunk = b"".join(subscriber._messages)  # noqa: SLF001 - reading without waiting
    subscriber._messages.clear()  # noqa: SLF001
    for line in chunk.decode().splitlines():
        if line.startswith("data: "):
            messages.append(json.loads(line[len("data: ") :]))
    return messages


async def test_data_changed_after_baseline(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/nas", {"state": "healthy"})
        template = '<p>{{ .JSON.String "state" }}</p>'
        async with dashboard(tmp_path, widget_yaml(api.url("/nas"), template), top=NO_COALESCING) as (runtime, widgets):
            widget = widgets[0]
            subscriber = runtime.hub.subscribe()
            await refresh(runtime, widget)
            baseline = events_of(subscriber, "custom-api:data_changed")
            await refresh(runtime, widget)
            unchanged = events_of(subscriber, "custom-api:data_changed")
            api.reply("/nas", {"state": "degraded"})
            await refresh(runtime, widget)
            changed = events_of(subscriber, "custom-api:data_changed")
            api.reply("/nas", "down", status=503)
            await refresh(runtime, widget)
            failed = events_of(subscriber, "custom-api:data_changed")
            api.reply("/nas", {"state": "healthy"})
            await refresh(runtime, widget)
            recovered = events_of(subscriber, "custom-api:data_changed")

    assert baseline == []
    assert unchanged == []
    assert changed == [{"widget_id": widget.id, "title": "NAS"}]
    assert failed == []
    assert recovered == [{"widget_id": widget.id, "title": "NAS"}]


async def test_widget_updated_also_sent(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/nas", {"state": "healthy"})
        template = '<p>{{ .JSON.String "state" }}</p>'
        async with dashboard(tmp_path, widget_yaml(api.url("/nas"), template), top=NO_COALESCING) as (runtime, widgets):
            subscriber = runtime.hub.subscribe()
            await refresh(runtime, widgets[0])
            api.reply("/nas", {"state": "degraded"})
            await refresh(runtime, widgets[0])
            kinds = [message["type"] for message in _drain(subscriber)]

    assert kinds == ["widget:updated", "widget:updated", "custom-api:data_changed"]


async def test_first_output_after_reload_is_baseline(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/nas", {"state": "healthy"})
        template = '<p>{{ .JSON.String "state" }}</p>'
        config = page_with_widget(widget_yaml(api.url("/nas"), template), NO_COALESCING)
        async with running_dashboard(tmp_path, config) as (runtime, _client):
            await refresh(runtime, runtime.dashboard.first_page.columns[0][1][0])
            await runtime.apply(runtime.dashboard.loaded)
            widget = runtime.dashboard.first_page.columns[0][1][0]
            subscriber = runtime.hub.subscribe()
            api.reply("/nas", {"state": "degraded"})
            await refresh(runtime, widget)
            after_reload = events_of(subscriber, "custom-api:data_changed")

    assert widget.state.data.html == "<p>degraded</p>\n"
    assert after_reload == []


# Configuration


def validate(tmp_path: Path, config: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `luna config validate` in the folder of the file, so locations read `luna.yml:…`."""

    path = write_config(tmp_path, config)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        code = main(["config", "validate", "--config", str(path)])
    return code, capsys.readouterr().out


BROKEN_TEMPLATE = """\
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: custom-api
            title: NAS
            url: http://127.0.0.1:9/api
            template: |
              <div class="nas">
                <p>{{ .JSON.String "name" }}</p>
                <p>{{ .JSON.String "state" | nosuch }}</p>
              </div>
"""


def test_syntax_error_at_yaml_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(tmp_path, BROKEN_TEMPLATE, capsys)

    assert code == 1
    # Template line 3 is line 12 of the file, and its column 32 is column 46 after the 14 spaces of indentation.
    assert out.startswith("luna.yml:12:46: pages[0].columns[0].widgets[0].template: invalid template: ")
    assert "function 'nosuch' not defined (template line 3, column 32)" in out


UNCLOSED_RANGE = BROKEN_TEMPLATE.split("              <div", 1)[0] + """\
              <ul>
              {{ range .JSON.Array "disks" }}
                <li>{{ .String "name" }}</li>
              </ul>
          - type: clock
"""


def test_unclosed_range_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(tmp_path, UNCLOSED_RANGE, capsys)

    # The {{range}} is template line 2, which is line 11 of the file; the next widget starts on line 14.
    assert code == 1
    assert out.startswith("luna.yml:11:15: pages[0].columns[0].widgets[0].template: invalid template: ")
    assert "the {{range}} opened here has no {{end}} before the template ends (template line 2, column 1)" in out


def test_syntax_error_after_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NAS_NAME", "a much longer substituted value")
    config = BROKEN_TEMPLATE.replace('{{ .JSON.String "state"', '${NAS_NAME} {{ .JSON.String "state"')

    code, out = validate(tmp_path, config, capsys)

    # The column counts the characters as written, `${NAS_NAME}` included.
    assert code == 1
    assert out.startswith("luna.yml:12:58: ")


def test_syntax_error_in_included_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    widget = BROKEN_TEMPLATE.split("widgets:\n", 1)[1]
    write_config(tmp_path, textwrap.dedent(widget), name="nas.yml")
    main_file = BROKEN_TEMPLATE.split("          - type", 1)[0] + "          - $include: nas.yml\n"

    code, out = validate(tmp_path, main_file, capsys)

    assert code == 1
    assert out.startswith("nas.yml:7:36: ")


def test_syntax_error_in_quoted_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = BROKEN_TEMPLATE.split("            template: |", 1)[0] + '            template: "<p>{{ .JSON.String }</p>"\n'

    code, out = validate(tmp_path, config, capsys)

    # The opening quote is column 23, so template column 20 is column 43.
    assert code == 1
    assert out.startswith("luna.yml:9:43: ")
    assert "unexpected '}' in action (template line 1, column 20)" in out


def test_template_errors_all_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    second = BROKEN_TEMPLATE.split("widgets:\n", 1)[1].replace("nosuch", "alsomissing")
    code, out = validate(tmp_path, BROKEN_TEMPLATE + second, capsys)

    assert code == 1
    assert len(out.splitlines()) == 2
    assert out.splitlines()[1].startswith("luna.yml:20:46: ")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("body-type: string\nbody: {a: 1}\n", "body must be text when body-type is string"),
        ("body-type: xml\n", "must be one of 'json' or 'string'"),
        ("method: FETCH\n", 'unknown HTTP method "FETCH"'),
        ("parameters:\n  tags: [{a: 1}]\n", 'parameter "tags" must be text, a number or a list of them'),
        ("subrequests:\n  pools: {}\n", 'missing required key "url"'),
        ("subrequests:\n  pools: {url: /api/pools}\n", 'invalid URL "/api/pools": luna sends this request itself'),
    ],
)
def test_invalid_request_keys_reported(tmp_path: Path, extra: str, message: str) -> None:
    config = page_with_widget(widget_yaml("http://127.0.0.1:9/api", "ok", extra))

    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, config)

    assert message in str(caught.value)


def test_empty_template_rejected(tmp_path: Path) -> None:
    config = page_with_widget('type: custom-api\ntemplate: ""\n')

    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, config)

    assert "the template is empty" in str(caught.value)


def test_glance_ignored_keys_accepted_with_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    extra = "allow-potentially-dangerous-html: true\nquery:\n  limit: 10\nbase-url: http://nas.lan\n"

    stage_widget(tmp_path, widget_yaml("http://127.0.0.1:9/api", "ok", extra))

    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert 'custom-api "NAS": query has no effect on custom-api widgets' in warnings[1]


def test_null_mappings_read_as_empty(tmp_path: Path) -> None:
    extra = "options:\n  # collapse-after: 4\nheaders:\nparameters:\nsubrequests:\n"

    staged = stage_widget(tmp_path, widget_yaml("http://127.0.0.1:9/api", "ok", extra))

    assert staged.widget.options.options == {}


# Helpers


def test_go_json_sorted_and_escaped() -> None:
    assert go_json({"b": [1, 2.5, True, None], "a": "x<y & z>"}) == '{"a":"x\\u003cy \\u0026 z\\u003e","b":[1,2.5,true,null]}'


@pytest.mark.parametrize(
    ("url", "parameters", "expected"),
    [
        ("http://nas/api?x=1", {}, "http://nas/api?x=1"),
        ("http://nas/api?x=1", {"b": ["2"], "a": ["1 2"]}, "http://nas/api?a=1+2&b=2"),
        ("http://nas/api", {"t": ["a", "b"]}, "http://nas/api?t=a&t=b"),
    ],
)
def test_replace_query(url: str, parameters: dict[str, list[str]], expected: str) -> None:
    assert replace_query(url, parameters) == expected


def test_refresh_timeout_covers_limits(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, widget_yaml("http://127.0.0.1:9/api", "ok"))
    limits = Limits()

    assert staged.widget.refresh_timeout > limits.request_timeout + limits.template_time + limits.template_requests_time
