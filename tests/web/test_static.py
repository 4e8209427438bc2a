"""Built-in assets under a content hash, the user's `/assets/` folder, and the web app manifest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from luna.runtime import Runtime
from luna.web.app import create_app
from luna.web.assets import STATIC_ROOT, StaticAssets
from tests.support.dashboards import load_text, running_dashboard
from tests.support.html import parse_html
from tests.support.servers import raw_get, serve_in_thread

IMMUTABLE = "public, max-age=31536000, immutable"
PAGES = """
pages:
  - name: Home
    columns:
      - size: full
        widgets:
          - type: clock
"""
# The configuration file sits beside the assets folder, where a path that
# climbs out of the folder would find it.
SECRET = "password: do-not-serve-me"


def with_assets(tmp_path: Path) -> str:
    assets = tmp_path / "assets"
    (assets / "icons").mkdir(parents=True)
    (assets / "icons" / "nas.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (assets / "notes.txt").write_text("shopping list", encoding="utf-8")
    return f"# {SECRET}\nserver:\n  assets-path: {assets}\n" + PAGES


async def test_page_links_hashed_assets(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        document = parse_html((await client.get("/")).text)
        version = runtime.assets.version

    stylesheet = document.select_one("link[rel=stylesheet]")["href"]
    script = document.select_one("script[type=module]")["src"]
    assert stylesheet == f"/static/{version}/css/bundle.css"
    assert script == f"/static/{version}/js/page.js"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("css/bundle.css", "text/css"),
        ("js/page.js", "text/javascript"),
        ("icons/favicon.svg", "image/svg+xml"),
        ("icons/app-icon.png", "image/png"),
    ],
)
async def test_hashed_asset_cached_immutable(tmp_path: Path, path: str, media_type: str) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        response = await client.get(f"/static/{runtime.assets.version}/{path}")

    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["content-type"].startswith(media_type)
    assert response.content == runtime.assets.get(path).body  # type: ignore[union-attr]


async def test_old_hash_served_uncached(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        response = await client.get("/static/0123456789/js/page.js")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


async def test_unknown_static_file_404(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        response = await client.get(f"/static/{runtime.assets.version}/js/missing.js")

    assert response.status_code == 404


def test_bundle_includes_every_widget_stylesheet() -> None:
    assets = StaticAssets()
    bundle = assets.get("css/bundle.css").body.decode()  # type: ignore[union-attr]

    for stylesheet in sorted((STATIC_ROOT / "css" / "widgets").glob("*.css")):
        assert stylesheet.read_text(encoding="utf-8") in bundle


def test_hash_changes_with_any_file(tmp_path: Path) -> None:
    copy = tmp_path / "static"
    shutil.copytree(STATIC_ROOT, copy)
    before = StaticAssets(copy).version

    (copy / "js" / "clock.js").write_text("// changed\n", encoding="utf-8")

    assert StaticAssets(copy).version != before


def test_hash_stable_for_same_files(tmp_path: Path) -> None:
    copy = tmp_path / "static"
    shutil.copytree(STATIC_ROOT, copy)

    assert StaticAssets(copy).version == StaticAssets(STATIC_ROOT).version


async def test_user_asset_served_with_two_hour_cache(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, with_assets(tmp_path)) as (runtime, client):
        response = await client.get("/assets/icons/nas.svg")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=7200"
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg")


async def test_missing_user_asset_404(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, with_assets(tmp_path)) as (runtime, client):
        response = await client.get("/assets/icons/router.svg")

    assert response.status_code == 404


async def test_assets_folder_itself_404(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, with_assets(tmp_path)) as (runtime, client):
        response = await client.get("/assets/icons")

    assert response.status_code == 404


async def test_assets_404_without_assets_path(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        response = await client.get("/assets/notes.txt")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "target",
    [
        "/assets/../luna.yml",
        "/assets/icons/../../luna.yml",
        "/assets/%2e%2e/luna.yml",
        "/assets/..%2fluna.yml",
        "/assets/%2e%2e%2fluna.yml",
        "/luna/assets/../luna.yml",
    ],
)
def test_assets_path_cannot_leave_folder(tmp_path: Path, target: str) -> None:
    config = with_assets(tmp_path).replace("server:\n", "server:\n  base-url: /luna\n")
    runtime = Runtime(load_text(tmp_path, config))

    with serve_in_thread(create_app(runtime)) as base:
        status, body = raw_get(base, target)

    assert status == 404
    assert SECRET.encode() not in body


async def test_manifest_defaults(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        response = await client.get("/manifest.json")

    manifest = response.json()
    assert response.headers["content-type"] == "application/manifest+json"
    assert manifest["name"] == "Luna"
    assert manifest["short_name"] == "Luna"
    assert manifest["display"] == "standalone"
    assert manifest["background_color"] == "#151519"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["icons"] == [
        {"src": f"/static/{runtime.assets.version}/icons/app-icon.png", "type": "image/png", "sizes": "512x512"}
    ]


async def test_manifest_from_branding(tmp_path: Path) -> None:
    branding = """
branding:
  app-name: Home Lab
  app-icon-url: /assets/icons/lab.svg
  app-background-color: "#102030"
"""
    async with running_dashboard(tmp_path, branding + PAGES) as (runtime, client):
        manifest = (await client.get("/manifest.json")).json()

    assert manifest["name"] == "Home Lab"
    assert manifest["short_name"] == "Home Lab"
    assert manifest["background_color"] == "#102030"
    assert manifest["icons"][0]["src"] == "/assets/icons/lab.svg"
    assert manifest["icons"][0]["type"] == "image/svg+xml"


async def test_manifest_background_from_theme(tmp_path: Path) -> None:
    theme = "theme:\n  background-color: 0 0 100\n"
    async with running_dashboard(tmp_path, theme + PAGES) as (runtime, client):
        manifest = (await client.get("/manifest.json")).json()

    assert manifest["background_color"] == "#ffffff"


async def test_manifest_linked_from_page(tmp_path: Path) -> None:
    async with running_dashboard(tmp_path, PAGES) as (runtime, client):
        document = parse_html((await client.get("/")).text)

    assert document.select_one("link[rel=manifest]")["href"] == "/manifest.json"
