from __future__ import annotations

from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from luna.config.errors import ConfigError
from luna.config.models import BUILT_IN_LIGHT
from luna.web.theme import theme_choices, theme_css
from tests.support.dashboards import load_text, running_dashboard
from tests.support.html import parse_html

PAGES = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: clock
"""
CUSTOM_BASE = "theme:\n  background-color: 220 20 12\n  primary-color: 160 60 50\n"
PRESETS = """
theme:
  presets:
    paper:
      light: true
      background-color: 40 30 92
    midnight:
      background-color: 250 30 6
"""


def picker_keys(theme_yaml: str, tmp_path: Path) -> list[str]:
    return list(theme_choices(load_text(tmp_path, theme_yaml + PAGES).config.theme))


def test_plain_theme_offers_light_only(tmp_path: Path) -> None:
    assert picker_keys("", tmp_path) == ["default", "default-light"]


def test_customised_theme_offers_dark(tmp_path: Path) -> None:
    assert picker_keys(CUSTOM_BASE, tmp_path) == ["default", "default-dark", "default-light"]


def test_user_presets_follow_built_ins(tmp_path: Path) -> None:
    assert picker_keys(PRESETS, tmp_path) == ["default", "default-light", "paper", "midnight"]


def test_user_dark_preset_offered_when_different(tmp_path: Path) -> None:
    theme = "theme:\n  presets:\n    default-dark:\n      background-color: 0 0 5\n"

    assert picker_keys(theme, tmp_path) == ["default", "default-light", "default-dark"]


def test_user_dark_preset_equal_to_base_skipped(tmp_path: Path) -> None:
    theme = "theme:\n  presets:\n    default-dark:\n      contrast-multiplier: 1\n"

    assert picker_keys(theme, tmp_path) == ["default", "default-light"]


def test_preset_named_default_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="default"):
        load_text(tmp_path, "theme:\n  presets:\n    default:\n      light: true\n" + PAGES)


async def test_set_theme_returns_css_and_scheme(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        response = await client.post("/api/set-theme/default-light")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert response.headers["x-scheme"] == "light"
    assert response.text == theme_css(BUILT_IN_LIGHT)


async def test_set_theme_dark_scheme(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PRESETS + PAGES) as (runtime, client):
        response = await client.post("/api/set-theme/midnight")

    assert response.headers["x-scheme"] == "dark"
    assert "--color-background:hsl(250, 30%, 6%)" in response.text


async def test_set_theme_sets_cookie(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        response = await client.post("/api/set-theme/default-light")

    cookie = SimpleCookie(response.headers["set-cookie"])["theme"]
    assert cookie.value == "default-light"
    assert cookie["path"] == "/"
    assert cookie["samesite"].lower() == "lax"
    assert cookie["max-age"] == str(2 * 365 * 24 * 3600)
    assert not cookie["httponly"]


async def test_set_theme_unknown_key_404(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        response = await client.post("/api/set-theme/sepia")

    assert response.status_code == 404
    assert "set-cookie" not in response.headers


async def test_set_theme_404_when_picker_disabled(tmp_path: Path) -> None:
    config = "theme:\n  disable-picker: true\n" + PAGES
    async with running_dashboard(tmp_path, config) as (runtime, client):
        response = await client.post("/api/set-theme/default-light")

    assert response.status_code == 404
    assert "set-cookie" not in response.headers


async def test_page_uses_cookie_theme(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        await client.post("/api/set-theme/default-light")
        document = parse_html((await client.get("/")).text)

    html = document.select_one("html")
    assert html["data-theme"] == "default-light"
    assert html["data-scheme"] == "light"
    assert document.select_one("style#theme-style").raw_text == theme_css(BUILT_IN_LIGHT)
    assert document.select_one("meta[name=color-scheme]")["content"] == "light"


async def test_picker_marks_current_theme(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        client.cookies.set("theme", "default-light")
        document = parse_html((await client.get("/")).text)

    current = document.select("[data-theme-picker] .theme-choice.current")
    assert [choice["data-theme-key"] for choice in current] == ["default-light"]
    assert current[0]["aria-checked"] == "true"


async def test_user_preset_cookie_applied(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PRESETS + PAGES) as (runtime, client):
        client.cookies.set("theme", "paper")
        document = parse_html((await client.get("/")).text)

    assert document.select_one("html")["data-theme"] == "paper"
    assert document.select_one("html")["data-scheme"] == "light"


async def test_unknown_cookie_falls_back_to_default(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        client.cookies.set("theme", "removed-preset")
        document = parse_html((await client.get("/")).text)

    assert document.select_one("html")["data-theme"] == "default"
    assert document.select_one("html")["data-scheme"] == "dark"


async def test_disabled_picker_ignores_cookie(tmp_path: Path) -> None:
    config = "theme:\n  disable-picker: true\n" + PAGES
    async with running_dashboard(tmp_path, config) as (runtime, client):
        client.cookies.set("theme", "default-light")
        document = parse_html((await client.get("/")).text)

    assert document.select_one("html")["data-theme"] == "default"
    assert document.select("[data-theme-picker]") == []


async def test_picker_lists_every_choice(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PRESETS + PAGES) as (runtime, client):
        document = parse_html((await client.get("/")).text)

    choices = document.select("[data-theme-picker] [data-theme-key]")
    assert [choice["data-theme-key"] for choice in choices] == ["default", "default-light", "paper", "midnight"]
    assert choices[2]["data-theme-url"] == "/api/set-theme/paper"
    assert choices[2].select_one(".theme-choice-label").text == "Paper"
    assert len(choices[2].select(".theme-swatches span")) == 3


async def test_customised_base_colours_page(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, CUSTOM_BASE + PAGES) as (runtime, client):
        document = parse_html((await client.get("/")).text)

    css = document.select_one("style#theme-style").raw_text
    assert "--color-background:hsl(220, 20%, 12%)" in css
    assert "--color-primary:hsl(160, 60%, 50%)" in css
