"""The HTML documents: page options, branding, `document.head` and the not-found page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from luna.web.assets import StaticAssets
from tests.support.dashboards import running_dashboard
from tests.support.html import Element, nesting_problems, parse_html

TWO_PAGES = """
pages:
  - name: Home
    columns:
      - size: small
        widgets:
          - type: clock
      - size: full
        widgets:
          - type: html
            source: <p id="home">home</p>
  - name: Media Room
    columns:
      - size: full
        widgets:
          - type: html
            source: <p id="media">media</p>
"""


def one_page(page_keys: str = "", top: str = "") -> str:
    keys = "".join(f"    {line}\n" for line in page_keys.strip().splitlines())
    page = f"pages:\n  - name: Home\n{keys}    columns:\n      - size: full\n        widgets:\n          - type: clock\n"
    return top + page


async def fetch_document(tmp_path: Path, config: str, path: str = "/") -> Element:
    async with running_dashboard(tmp_path, config) as (runtime, client):
        response = await client.get(path)
    assert response.status_code == 200
    return parse_html(response.text)


async def test_first_page_at_root(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, TWO_PAGES)

    assert document.select("p#home") != []
    assert document.select_one("body")["data-page-slug"] == "home"


@pytest.mark.parametrize("path", ["/media-room", "/media-room/"])
async def test_page_by_slug(tmp_path: Path, path: str) -> None:
    document = await fetch_document(tmp_path, TWO_PAGES, path)

    assert document.select("p#media") != []
    assert document.select_one("title").text == "Media Room · Luna"


async def test_navigation_marks_current_page(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, TWO_PAGES, "/media-room")

    links = document.select("nav.nav a.nav-item")

    assert [(link.text, link["href"]) for link in links] == [("Home", "/"), ("Media Room", "/media-room")]
    assert [link.has_class("current") for link in links] == [False, True]
    assert links[1]["aria-current"] == "page"


async def test_page_answers_head(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, TWO_PAGES) as (runtime, client):
        response = await client.head("/media-room")

    assert response.status_code == 200


async def test_page_not_cached(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, TWO_PAGES) as (runtime, client):
        response = await client.get("/")

    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"] == "text/html; charset=utf-8"


async def test_unknown_page_html_404(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, TWO_PAGES) as (runtime, client):
        response = await client.get("/garage")

    document = parse_html(response.text)
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert document.select_one(".not-found-title").text == "This page does not exist"
    assert document.select_one(".not-found a")["href"] == "/"


async def test_404_page_keeps_navigation(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, TWO_PAGES) as (runtime, client):
        document = parse_html((await client.get("/garage/door")).text)

    assert [link.text for link in document.select("nav.nav a")] == ["Home", "Media Room"]
    assert document.select("nav.nav a.current") == []


async def test_page_name_escaped(tmp_path: Path) -> None:
    config = one_page("slug: lab").replace("name: Home", "name: R&D <Lab>")

    document = await fetch_document(tmp_path, config)

    assert document.select_one("nav.nav a").text == "R&D <Lab>"
    assert document.select("lab") == []


async def test_document_head_injected(tmp_path: Path) -> None:
    top = 'document:\n  head: <meta name="robots" content="noindex"><script src="/umami.js" defer></script>\n'

    document = await fetch_document(tmp_path, one_page(top=top))

    head = document.select_one("head")
    assert head.select_one("meta[name=robots]")["content"] == "noindex"
    assert head.select_one("script[src=/umami.js]").has("defer")


async def test_document_head_also_on_404(tmp_path: Path) -> None:
    top = 'document:\n  head: <meta name="robots" content="noindex">\n'
    async with running_dashboard(tmp_path, one_page(top=top)) as (runtime, client):
        document = parse_html((await client.get("/garage")).text)

    assert document.select("head meta[name=robots]") != []


async def test_default_branding(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, one_page()) as (runtime, client):
        document = parse_html((await client.get("/")).text)
        version = runtime.assets.version

    assert document.select_one(".logo .logo-text").text == "Luna"
    assert document.select_one(".logo-mark") is not None
    assert document.select_one("link[rel=icon]")["href"] == f"/static/{version}/icons/favicon.svg"
    assert document.select_one("link[rel=icon]")["type"] == "image/svg+xml"
    assert document.select_one("link[rel=apple-touch-icon]")["href"] == f"/static/{version}/icons/app-icon.png"
    assert document.select_one("footer .footer-text").text.startswith("luna ")


async def test_app_name_in_title_and_logo(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, one_page(top="branding:\n  app-name: Home Lab\n"))

    assert document.select_one("title").text == "Home · Home Lab"
    assert document.select_one(".logo .logo-text").text == "Home Lab"


async def test_logo_text_replaces_name(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, one_page(top="branding:\n  logo-text: HL\n"))

    assert document.select_one(".logo .logo-text").text == "HL"
    assert document.select(".logo svg") == []


async def test_logo_url_beats_logo_text(tmp_path: Path) -> None:
    top = "branding:\n  logo-text: HL\n  logo-url: https://cdn.example.invalid/logo.png\n"

    document = await fetch_document(tmp_path, one_page(top=top))

    assert document.select_one(".logo img.logo-image")["src"] == "https://cdn.example.invalid/logo.png"
    assert document.select(".logo .logo-text") == []


@pytest.mark.parametrize(("favicon", "media_type"), [("/assets/fav.svg", "image/svg+xml"), ("/assets/fav.ico", "image/png")])
async def test_favicon_url_and_type(tmp_path: Path, favicon: str, media_type: str) -> None:
    document = await fetch_document(tmp_path, one_page(top=f"branding:\n  favicon-url: {favicon}\n"))

    icon = document.select_one("link[rel=icon]")

    assert icon["href"] == favicon
    assert icon["type"] == media_type


async def test_app_icon_for_touch_devices(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, one_page(top="branding:\n  app-icon-url: /assets/lab.png\n"))

    assert document.select_one("link[rel=apple-touch-icon]")["href"] == "/assets/lab.png"


async def test_hide_footer(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, one_page(top="branding:\n  hide-footer: true\n"))

    assert document.select("footer") == []


async def test_custom_footer_raw_html(tmp_path: Path) -> None:
    top = 'branding:\n  custom-footer: <p id="imprint">Run by <a href="/about">us</a></p>\n'

    document = await fetch_document(tmp_path, one_page(top=top))

    footer = document.select_one("footer")
    assert footer.select_one("p#imprint a")["href"] == "/about"
    assert footer.select(".footer-text") == []


async def test_custom_css_file_linked(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, one_page(top="theme:\n  custom-css-file: /assets/wall.css\n"))

    stylesheets = [link["href"] for link in document.select("link[rel=stylesheet]")]

    assert stylesheets[-1] == "/assets/wall.css"


@pytest.mark.parametrize(("width", "expected"), [("", "default"), ("default", "default"), ("slim", "slim"), ("wide", "wide")])
async def test_page_width(tmp_path: Path, width: str, expected: str) -> None:
    keys = f"width: {width}" if width else ""

    document = await fetch_document(tmp_path, one_page(keys))

    assert document.select_one("body").has_class(f"page-width-{expected}")
    assert document.select_one("main#page-content").has_class(f"width-{expected}")
    assert document.select_one("header .container").has_class(f"width-{expected}")
    assert document.select_one("footer .container").has_class(f"width-{expected}")


async def test_navigation_width_separate(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, one_page("width: slim\ndesktop-navigation-width: wide"))

    assert document.select_one("header .container").has_class("width-wide")
    assert document.select_one("main#page-content").has_class("width-slim")


async def test_head_widgets_above_columns(tmp_path: Path) -> None:
    keys = "head-widgets:\n  - type: search\n    title: Find"

    document = await fetch_document(tmp_path, one_page(keys))

    main = document.select_one("main#page-content")
    blocks = [child for child in main.children if isinstance(child, Element)]
    assert [block["class"] for block in blocks] == ["head-widgets", "page-columns"]
    assert blocks[0].select_one(".widget")["class"] == "widget widget-type-search"
    assert main.select(".page-columns .widget-type-search") == []


async def test_no_head_widget_block_without_head_widgets(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, one_page())

    assert document.select(".head-widgets") == []


async def test_center_vertically(tmp_path: Path) -> None:
    centred = await fetch_document(tmp_path, one_page("center-vertically: true"))
    plain = await fetch_document(tmp_path, one_page())

    assert centred.select_one("body").has_class("center-vertically")
    assert not plain.select_one("body").has_class("center-vertically")


async def test_show_mobile_header(tmp_path: Path) -> None:
    with_header = await fetch_document(tmp_path, one_page("show-mobile-header: true"))
    plain = await fetch_document(tmp_path, one_page())

    assert with_header.select_one(".mobile-header .mobile-header-title").text == "Home"
    assert with_header.select_one("body").has_class("has-mobile-header")
    assert plain.select(".mobile-header") == []


async def test_hide_desktop_navigation(tmp_path: Path) -> None:
    hidden = await fetch_document(tmp_path, one_page("hide-desktop-navigation: true"))
    plain = await fetch_document(tmp_path, one_page())

    assert hidden.select_one("header.site-header").has_class("hide-desktop-navigation")
    assert not plain.select_one("header.site-header").has_class("hide-desktop-navigation")


@pytest.mark.parametrize(
    "selector",
    [
        ".site-header.hide-desktop-navigation",
        ".center-vertically",
        ".has-mobile-header",
        ".container.width-slim",
        ".container.width-wide",
        ".head-widgets",
        ".theme-switching",
    ],
)
def test_page_option_classes_styled(selector: str) -> None:
    bundle = StaticAssets().get("css/bundle.css").body.decode()  # type: ignore[union-attr]

    assert re.search(re.escape(selector) + r"[\s,{:]", bundle), f"no CSS rule uses {selector}"


async def test_mobile_navigation_picks_first_full_column(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, TWO_PAGES)

    pills = document.select(".mobile-columns input[type=radio]")

    assert [pill["value"] for pill in pills] == ["0", "1"]
    assert [pill.has("checked") for pill in pills] == [False, True]
    assert document.select_one(".page-columns")["data-primary-column"] == "1"


async def test_mobile_navigation_lists_pages(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, TWO_PAGES, "/media-room")

    links = document.select(".mobile-pages-menu a")

    assert [link["href"] for link in links] == ["/", "/media-room"]
    assert [link.has_class("current") for link in links] == [False, True]


async def test_columns_rendered_by_size(tmp_path: Path) -> None:
    document = await fetch_document(tmp_path, TWO_PAGES)

    columns = document.select(".page-columns .page-column")

    assert [column["class"] for column in columns] == ["page-column page-column-small", "page-column page-column-full"]
    assert columns[0].select(".widget-type-clock") != []


@pytest.mark.parametrize("path", ["/", "/media-room", "/garage"])
async def test_document_well_nested(tmp_path: Path, path: str) -> None:
    top = 'branding:\n  custom-footer: <p>footer</p>\ndocument:\n  head: <meta name="robots" content="noindex">\n'
    config = top + TWO_PAGES.replace("name: Home\n", "name: Home\n    show-mobile-header: true\n    head-widgets:\n      - type: search\n")
    async with running_dashboard(tmp_path, config) as (runtime, client):
        text = (await client.get(path)).text

    assert nesting_problems(text) == []
