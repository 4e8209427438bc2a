"""extension: the request it sends, the response headers it honours, and escaping of its content."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from luna.runtime import Runtime
from luna.widgets.extension import DEFAULT_INTERVAL, ExtensionWidget
from tests.support.dashboards import load_text, running_dashboard
from tests.support.html import Element, parse_html
from tests.support.json_api import JsonApi, json_api
from tests.support.widgets import page_with_widget, stage_widget

SECRET = "ext-s3cr3t"
HTML = '<p class="color-highlight">Backups <b>ok</b></p><script>alert(1)</script>'


def extension_yaml(url: str, extra: str = "") -> str:
    return f"type: extension\nurl: {url}\n{extra}"


async def refreshed(tmp_path: Path, yaml: str) -> tuple[Element, ExtensionWidget]:
    async with running_dashboard(tmp_path, page_with_widget(yaml)) as (runtime, _client):
        widget = runtime.dashboard.first_page.columns[0][1][0]
        element = await refresh(runtime, widget)
    return element, widget


async def refresh(runtime: Runtime, widget: ExtensionWidget) -> Element:
    assert runtime.scheduler is not None
    await runtime.scheduler.refresh_once(widget)
    assert widget.rendered is not None
    return parse_html(widget.rendered.html).select_one(".widget")


def serve_html(api: JsonApi, **headers: str) -> None:
    api.reply("/backups", HTML, headers={"Widget-Content-Type": "html", **headers})


async def test_html_escaped_by_default(tmp_path: Path) -> None:
    with json_api() as api:
        serve_html(api)
        element, _ = await refreshed(tmp_path, extension_yaml(api.url("/backups")))

    pre = element.select_one("pre.extension-text")
    assert pre.text == HTML
    assert element.select("script") == []
    assert element.select(".extension b") == []


async def test_html_shown_when_allowed(tmp_path: Path) -> None:
    with json_api() as api:
        serve_html(api)
        element, _ = await refreshed(tmp_path, extension_yaml(api.url("/backups"), "allow-potentially-dangerous-html: true\n"))

    assert element.select_one(".extension b").text == "ok"
    assert element.select("pre") == []


async def test_allowed_html_balanced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with json_api() as api:
        api.reply("/backups", '<div class="flex"><b>3</b> backups</div></div><p>ok', headers={"Widget-Content-Type": "html"})
        allowed = extension_yaml(api.url("/backups"), "allow-potentially-dangerous-html: true\n")
        with caplog.at_level(logging.WARNING, logger="luna.widgets.user_html"):
            _, widget = await refreshed(tmp_path, allowed)

    assert widget.content is not None
    assert widget.content.text == '<div class="flex"><b>3</b> backups</div><p>ok</p>'
    assert 'extension "Extension": unbalanced HTML in the extension\'s response: </div> (line 1, column 41)' in caplog.text


async def test_escaped_text_not_balanced(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/backups", "<div>open </div></div>", headers={"Widget-Content-Type": "html"})
        element, _ = await refreshed(tmp_path, extension_yaml(api.url("/backups")))

    assert element.select_one("pre.extension-text").text == "<div>open </div></div>"


async def test_unknown_content_type_uses_fallback(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/backups", HTML, headers={"Widget-Content-Type": "markdown"})
        element, _ = await refreshed(tmp_path, extension_yaml(api.url("/backups"), "allow-potentially-dangerous-html: true\n"))

    assert element.select_one(".extension b").text == "ok"


async def test_missing_content_type_uses_fallback(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/backups", HTML)
        element, _ = await refreshed(tmp_path, extension_yaml(api.url("/backups"), "allow-potentially-dangerous-html: true\n"))

    assert element.select_one(".extension b").text == "ok"


async def test_title_and_link_from_headers(tmp_path: Path) -> None:
    with json_api() as api:
        serve_html(api, **{"Widget-Title": "Backups", "Widget-Title-URL": "https://backups.lan/"})
        element, widget = await refreshed(tmp_path, extension_yaml(api.url("/backups")))

    title = element.select_one("a.widget-title")
    assert title.text == "Backups"
    assert title["href"] == "https://backups.lan/"
    assert widget.title == "Backups"


async def test_configured_title_wins(tmp_path: Path) -> None:
    with json_api() as api:
        serve_html(api, **{"Widget-Title": "Backups", "Widget-Title-URL": "https://backups.lan/"})
        extra = "title: Nightly\ntitle-url: https://status.lan/\n"
        element, _ = await refreshed(tmp_path, extension_yaml(api.url("/backups"), extra))

    title = element.select_one("a.widget-title")
    assert title.text == "Nightly"
    assert title["href"] == "https://status.lan/"


async def test_unsafe_title_link_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with json_api() as api:
        serve_html(api, **{"Widget-Title-URL": "javascript:alert(1)"})
        element, _ = await refreshed(tmp_path, extension_yaml(api.url("/backups")))

    assert element.select("a.widget-title") == []
    assert element.select_one("h2.widget-title").text == "Extension"
    assert "ignoring the Widget-Title-URL header" in caplog.text


async def test_unsafe_title_link_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with json_api() as api:
        serve_html(api, **{"Widget-Title-URL": "javascript:alert(1)"})
        async with running_dashboard(tmp_path, page_with_widget(extension_yaml(api.url("/backups")))) as (runtime, _):
            widget = runtime.dashboard.first_page.columns[0][1][0]
            for _ in range(3):
                await refresh(runtime, widget)
            serve_html(api, **{"Widget-Title-URL": "vbscript:msgbox(1)"})
            await refresh(runtime, widget)
            await refresh(runtime, widget)

    warnings = [record.getMessage() for record in caplog.records if "Widget-Title-URL" in record.getMessage()]
    assert len(warnings) == 2
    assert '"javascript:"' in warnings[0]
    assert '"vbscript:"' in warnings[1]


@pytest.mark.parametrize(("value", "frameless"), [("true", True), ("yes", True), ("false", False), ("", False)])
async def test_frameless_header(tmp_path: Path, value: str, frameless: bool) -> None:
    with json_api() as api:
        serve_html(api, **{"Widget-Content-Frameless": value})
        element, _ = await refreshed(tmp_path, extension_yaml(api.url("/backups")))

    assert element.select_one(".widget-content").has_class("widget-content-frameless") is frameless


async def test_parameters_replace_query_and_headers_sent(tmp_path: Path) -> None:
    extra = f"parameters:\n  theme: dark\n  show: [a, b]\nheaders:\n  Authorization: Bearer {SECRET}\n"
    with json_api() as api:
        serve_html(api)
        await refreshed(tmp_path, extension_yaml(api.url("/backups?old=1"), extra))

    request = api.received("/backups")[0]
    assert request.method == "GET"
    assert request.query == [("show", "a"), ("show", "b"), ("theme", "dark")]
    assert request.headers["authorization"] == f"Bearer {SECRET}"


async def test_error_status_fails_with_reason(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with json_api() as api:
        api.reply("/backups", "maintenance", status=503)
        extra = f"headers:\n  Authorization: Bearer {SECRET}\n"
        element, _ = await refreshed(tmp_path, extension_yaml(api.url("/backups"), extra))

    assert element.select_one(".widget-error-reason").text == "the extension answered 503 Service Unavailable"
    assert SECRET not in caplog.text
    assert SECRET not in element.raw_text


async def test_failed_refresh_keeps_content_stale(tmp_path: Path) -> None:
    with json_api() as api:
        serve_html(api, **{"Widget-Title": "Backups"})
        async with running_dashboard(tmp_path, page_with_widget(extension_yaml(api.url("/backups")))) as (runtime, _):
            widget = runtime.dashboard.first_page.columns[0][1][0]
            await refresh(runtime, widget)
            api.reply("/backups", "down", status=502)
            element = await refresh(runtime, widget)

    assert element.has_class("widget-is-stale")
    assert element.select_one("pre.extension-text").text == HTML
    assert element.select_one(".widget-title").text == "Backups"


async def test_response_size_capped(tmp_path: Path) -> None:
    with json_api() as api:
        api.reply("/backups", b"x" * (6 * 1024 * 1024), streamed=True)
        element, _ = await refreshed(tmp_path, extension_yaml(api.url("/backups")))

    assert element.select_one(".widget-error-reason").text == "the response exceeds 5 MB"


def test_default_interval_thirty_minutes(tmp_path: Path) -> None:
    staged = stage_widget(tmp_path, extension_yaml("http://127.0.0.1:9/x"))

    assert staged.widget.interval == DEFAULT_INTERVAL == 1800.0


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("type: extension\n", 'missing required key "url"'),
        ("type: extension\nurl: ftp://nas.lan/x\n", "it must start with http:// or https://"),
        (
            "type: extension\nurl: /ext/report\n",
            'invalid URL "/ext/report": luna sends this request itself, so a path alone names no server; '
            "write the full address, such as http://192.168.1.10:8080/ext/report",
        ),
        (
            "type: extension\nurl: nas.lan:8081/backups\n",
            'invalid URL "nas.lan:8081/backups": add http:// or https:// in front, such as http://nas.lan:8081/backups',
        ),
        ("type: extension\nurl: http://nas.lan/\nfallback-content-type: pdf\n", "must be one of 'html'"),
    ],
)
def test_invalid_options_reported(tmp_path: Path, yaml: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, page_with_widget(yaml))

    assert message in str(caught.value)


@pytest.mark.parametrize("url", ["/ext/report", "nas.lan/ext/report", "192.168.1.5:8081/report", "//nas.lan/report"])
def test_url_advice_never_suggests_path(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, page_with_widget(f"type: extension\nurl: {url}\n"))

    assert "local path" not in str(caught.value)
    assert "http://" in str(caught.value)
