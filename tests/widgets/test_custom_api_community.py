"""Glance's community custom-api widgets, pasted into luna.yml as published.

Every file passes `luna config validate`, except the few listed in
EXPECTED_PROBLEMS with the reason, which fail with exactly that problem.
A set of them then runs against a local fake of their API: the published
text is kept, the environment points `${…}` URLs at the fake, and only
URLs hard-coded to internet services are rewritten to it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from luna.cli import main
from luna.runtime import Runtime
from luna.widgets.custom_api import CustomApiWidget
from tests.support.dashboards import running_dashboard, write_config
from tests.support.html import Element, parse_html
from tests.support.json_api import JsonApi, json_api

# Glance's published community widgets (CC0), copied into the repository as a test corpus.
COMMUNITY_WIDGETS = Path(__file__).resolve().parents[1] / "fixtures" / "community-widgets"
FILES = sorted(path.name for path in COMMUNITY_WIDGETS.glob("*.yml")) if COMMUNITY_WIDGETS.is_dir() else []
VARIABLE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")

pytestmark = pytest.mark.skipif(not FILES, reason="the community widget collection is not present")

# Files that cannot pass as published, with the problem luna reports for each.
EXPECTED_PROBLEMS = {
    # The keys after `- type:` are indented deeper than `type`, which YAML rejects;
    # luna names the key to line up.
    "calibre-web-stats.yml": "is indented deeper than \"type\" on line",
    "frigate-stats.yml": "is indented deeper than \"type\" on line",
    "raindrop-latest-links-1.yml": "is indented deeper than \"type\" on line",
    "raindrop-latest-links-3.yml": "is indented deeper than \"type\" on line",
    "trending-github-repositories.yml": "is indented deeper than \"type\" on line",
    # The published file has no template: it shows only the request half of a widget.
    "weather-seven-day-2.yml": 'missing required key "template"',
    # The published template stops before its {{end}}s; Go's parser rejects it as well.
    "youtube-embedded-player-2.yml": "the {{range}} opened here has no {{end}} before the template ends (template line 9, column 5)",
}


def paste(text: str) -> str:
    """Return a luna.yml with the published widget list pasted, as is, under a column's `widgets:`."""

    body = "".join(("          " + line if line.strip() else "") + "\n" for line in text.splitlines())
    return "pages:\n  - name: Community\n    columns:\n      - size: full\n        widgets:\n" + body


def placeholder_value(name: str) -> str:
    """A value for one `${NAME}` of the collection, of the kind its widgets expect there."""

    if "URL" in name.upper() or name == "RSS_BRIDGE":
        return "http://127.0.0.1:9"
    if name.endswith(("_IP", "_HOST")):
        return "127.0.0.1"
    if name.endswith("_PORT"):
        return "9"
    return "1"


def community_environment() -> dict[str, str]:
    names = {name for file in FILES for name in VARIABLE.findall((COMMUNITY_WIDGETS / file).read_text())}
    return {name: placeholder_value(name) for name in names}


@pytest.mark.parametrize("file", FILES)
def test_community_widget_validates(
    file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, paste((COMMUNITY_WIDGETS / file).read_text()))
    monkeypatch.chdir(tmp_path)
    for name, value in community_environment().items():
        monkeypatch.setenv(name, value)

    code = main(["config", "validate", "--config", str(path)])
    out = capsys.readouterr().out

    if file in EXPECTED_PROBLEMS:
        assert code == 1
        assert len(out.splitlines()) == 1
        assert EXPECTED_PROBLEMS[file] in out
    else:
        assert out == ""
        assert code == 0


def test_expected_problems_are_files() -> None:
    assert set(EXPECTED_PROBLEMS) <= set(FILES)


# Rendering against a fake API


@asynccontextmanager
async def community_dashboard(
    tmp_path: Path, api: JsonApi, file: str, rewrite: dict[str, str] | None = None, environ: dict[str, str] | None = None
) -> AsyncIterator[tuple[Runtime, CustomApiWidget]]:
    """Load the published file with `{api}` (the fake's URL) and `{host}` (its host:port) filled in."""

    def fill(value: str) -> str:
        return value.replace("{api}", api.base_url).replace("{host}", api.base_url.removeprefix("http://"))

    text = (COMMUNITY_WIDGETS / file).read_text()
    for published, replacement in (rewrite or {}).items():
        assert published in text, f"{file} no longer contains {published!r}"
        text = text.replace(published, fill(replacement))

    environment = community_environment()
    environment.update({name: fill(value) for name, value in (environ or {}).items()})
    async with running_dashboard(tmp_path, paste(text), environ=environment) as (runtime, _client):
        yield runtime, runtime.dashboard.first_page.columns[0][1][0]


async def render(
    tmp_path: Path,
    file: str,
    replies: dict[str, Any],
    rewrite: dict[str, str] | None = None,
    environ: dict[str, str] | None = None,
) -> tuple[Element, JsonApi]:
    """Refresh the file's widget once against a fake serving `replies` by path; return its content."""

    with json_api() as api:
        for path, body in replies.items():
            api.reply(path, body)
        async with community_dashboard(tmp_path, api, file, rewrite, environ) as (runtime, widget):
            assert runtime.scheduler is not None
            await runtime.scheduler.refresh_once(widget)
            assert widget.rendered is not None, file
            element = parse_html(widget.rendered.html).select_one(".widget")

    errors = element.select(".widget-error-reason")
    assert errors == [], f"{file}: {errors[0].text if errors else ''}"
    return element.select_one(".widget-content"), api


def compact(element: Element) -> str:
    return " ".join(element.text.split())


async def test_random_fact(tmp_path: Path) -> None:
    rewrite = {"https://uselessfacts.jsph.pl": "{api}"}
    content, _ = await render(tmp_path, "random-fact.yml", {"/api/v2/facts/random": {"text": "Honey never spoils."}}, rewrite)

    assert content.select_one("p.size-h4").text == "Honey never spoils."


async def test_random_bible_verse(tmp_path: Path) -> None:
    verse = {"random_verse": {"book": "John", "chapter": 3, "verse": 16, "text": "For God so loved the world"}}
    rewrite = {"https://bible-api.com": "{api}"}
    content, _ = await render(tmp_path, "random-bible-verse.yml", {"/data/web/random": verse}, rewrite)

    assert "John 3:16" in compact(content)
    assert "For God so loved the world" in compact(content)


async def test_spotify_now_playing(tmp_path: Path) -> None:
    body = {"image": "https://i.scdn.co/image/ab67", "shortenedName": "Song", "formattedArtist": "A & B"}
    rewrite = {"https://${NOW_PLAYING}.web.val.run/": "{api}/now-playing"}
    content, _ = await render(tmp_path, "spotify-now-playing.yml", {"/now-playing": body}, rewrite)

    assert content.select_one("img")["src"] == "https://i.scdn.co/image/ab67"
    assert "A & B" in compact(content)


async def test_trending_bluesky_news(tmp_path: Path) -> None:
    linked = {"post": {"embed": {"external": {"title": "Big story", "uri": "https://news.example/a"}},
                       "author": {"displayName": "Reporter", "did": "did:plc:abc", "handle": "rep.bsky"},
                       "record": {"text": "Read this"}}}
    plain = {"post": {"author": {"displayName": "Other"}, "record": {"text": "No link here"}}}
    rewrite = {"https://public.api.bsky.app": "{api}"}
    content, _ = await render(tmp_path, "trending-bluesky-news.yml",
                              {"/xrpc/app.bsky.feed.getFeed": {"feed": [linked, plain]}}, rewrite)

    assert [link.text for link in content.select('a[href="https://news.example/a"]')] == ["Big story"]
    assert "No link here" not in compact(content)


async def test_immich_stats_with_api_key(tmp_path: Path) -> None:
    environ = {"IMMICH_URL": "{api}", "IMMICH_API_KEY": "immich-key"}
    replies = {"/api/server/statistics": {"photos": 12345, "videos": 678, "usage": 53687091200}}
    content, api = await render(tmp_path, "immich-stats.yml", replies, environ=environ)

    numbers = [element.text for element in content.select(".color-highlight.size-h3")]
    assert "12,345" in numbers
    assert "50GB" in numbers
    assert api.received("/api/server/statistics")[0].headers["x-api-key"] == "immich-key"


async def test_steam_specials(tmp_path: Path) -> None:
    items = [{"id": 730, "name": "Game One", "header_image": "https://cdn/steam/apps/730/h.jpg", "final_price": 1999,
              "discount_percent": 50}]
    rewrite = {"https://store.steampowered.com/api/featuredcategories": "{api}/api/featuredcategories"}
    content, api = await render(tmp_path, "steam-specials.yml",
                                {"/api/featuredcategories": {"specials": {"items": items}}}, rewrite)

    assert content.select_one('a[href="https://store.steampowered.com/app/730/"]').text == "Game One"
    assert "$19.99" in compact(content)
    assert api.received("/api/featuredcategories")[0].query == [("cc", "us")]


async def test_pagerduty_incidents(tmp_path: Path) -> None:
    incidents = [{"title": "Disk full", "status": "acknowledged", "html_url": "https://pd/1", "urgency": "high",
                  "type": "incident", "created_at": "2023-11-14T20:00:00Z",
                  "first_trigger_log_entry": {"html_url": "https://pd/1/log"}}]
    rewrite = {"https://api.pagerduty.com": "{api}"}
    content, api = await render(tmp_path, "pagerduty-incidents.yml", {"/incidents": {"incidents": incidents}}, rewrite,
                                {"PAGERDUTY_TOKEN": "pd-token"})

    assert "Disk full" in compact(content)
    assert content.select('[data-dynamic-relative-time="1699992000"]') != []
    assert api.received("/incidents")[0].headers["authorization"] == "Token token=pd-token"


async def test_paperless_stats(tmp_path: Path) -> None:
    rewrite = {"url: https://${PAPERLESS_URL}": "url: http://${PAPERLESS_URL}"}
    body = {"documents_total": 1500, "documents_inbox": 3, "character_count": 2500000}
    content, _ = await render(tmp_path, "paperlessngx-stats.yml", {"/api/statistics/": body}, rewrite,
                              {"PAPERLESS_URL": "{host}"})

    numbers = [element.text for element in content.select(".color-highlight.size-h3")]
    assert "1,500" in numbers
    assert "2,500,000" in numbers


async def test_mealie_todays_meal(tmp_path: Path) -> None:
    body = [{"entryType": "dinner", "recipeId": "r-1", "recipe": {"name": "Lasagna"}}]
    content, _ = await render(tmp_path, "mealie-todays-meal.yml", {"/api/households/mealplans/today": body},
                              environ={"MEALIE_URL": "{host}"})

    assert "Lasagna" in compact(content)
    assert content.select_one("img")["src"].endswith("/api/media/recipes/r-1/images/original.webp")


async def test_wg_easy_clients(tmp_path: Path) -> None:
    body = [{"name": "phone", "enabled": True, "ipv4Address": "10.8.0.2"},
            {"name": "laptop", "enabled": False, "ipv4Address": "10.8.0.3"}]
    rewrite = {"https://${WG_EASY_URL}": "http://${WG_EASY_URL}"}
    content, _ = await render(tmp_path, "wg-easy-clients.yml", {"/api/client": body}, rewrite, {"WG_EASY_URL": "{host}"})

    assert "phone 🟢 10.8.0.2" in compact(content)
    assert "laptop 🔴 10.8.0.3" in compact(content)


async def test_peanut_ups_status(tmp_path: Path) -> None:
    body = {"battery.charge": 100, "battery.runtime": 1800, "battery.voltage": 13.6, "device.model": 1500,
            "ups.load": 20, "ups.realpower.nominal": 900}
    content, _ = await render(tmp_path, "peanut-ups-status.yml", {"/api/v1/devices/ups": body},
                              environ={"PEANUT_URL": "{host}", "PEANUT_DEVICE": "ups"})

    assert "Battery: 100%" in compact(content)
    assert "Runtime: 30 min" in compact(content)


async def test_sabnzbd_queue(tmp_path: Path) -> None:
    body = {"queue": {"status": "Downloading", "speed": "1.2 M", "timeleft": "0:10:00", "noofslots": 4, "mb": "1234.56"}}
    content, api = await render(tmp_path, "sabnzbd-stats.yml", {"/api": body},
                                environ={"SABNZBD_URL": "{api}", "SABNZBD_API_KEY": "sab-key"})

    assert "1.2 MB/s" in compact(content)
    assert "4 items" in compact(content)
    assert ("apikey", "sab-key") in api.received("/api")[0].query


async def test_air_quality(tmp_path: Path) -> None:
    body = {"data": {"aqi": 75, "time": {"iso": "2023-11-14T20:00:00+01:00"},
                     "iaqi": {"h": {"v": 60}, "o3": {"v": 20.5}, "pm25": {"v": 12}, "p": {"v": 1013}}}}
    rewrite = {"https://api.waqi.info": "{api}"}
    content, _ = await render(tmp_path, "air-quality.yml", {"/feed/geo:1;1/": body}, rewrite)

    assert "Moderate air quality" in compact(content)
    assert "AQI: 75" in compact(content)


async def test_proxmox_counts(tmp_path: Path) -> None:
    data = [{"type": "node", "status": "online"}, {"type": "node", "status": "offline"},
            {"type": "lxc", "status": "running", "template": 0}, {"type": "qemu", "status": "running", "template": 0},
            {"type": "storage", "status": "available"}]
    rewrite = {"url: https://${PROXMOXVE_URL}": "url: http://${PROXMOXVE_URL}"}
    content, api = await render(tmp_path, "proxmox-ve-stats.yml", {"/api2/json/cluster/resources": {"data": data}},
                                rewrite, {"PROXMOXVE_URL": "{host}", "PROXMOXVE_KEY": "root@pam!glance=abc"})

    assert "1/2 Node" in compact(content)
    assert "1/1 VM" in compact(content)
    assert api.received("/api2/json/cluster/resources")[0].headers["authorization"] == "PVEAPIToken=root@pam!glance=abc"


async def test_scrutiny_drives(tmp_path: Path) -> None:
    def drive(name: str, wwn: str, archived: bool) -> dict:
        return {"device": {"device_name": name, "model_name": f"Model {name}", "wwn": wwn, "archived": archived,
                           "capacity": 4000000000000, "device_status": 0},
                "smart": {"power_on_hours": 2400}, "temp_history": [{"temp": 35}]}

    summary = {"w2": drive("sdb", "w2", False), "w1": drive("sda", "w1", False), "w3": drive("sdc", "w3", True)}
    content, _ = await render(tmp_path, "scrutiny.yml", {"/api/summary": {"data": {"summary": summary}}},
                              environ={"SCRUTINY_URL": "{host}"})

    text = compact(content)
    assert text.index("/DEV/sda") < text.index("/DEV/sdb")
    assert "/DEV/sdc" not in text


async def test_truenas_pools_template_requests(tmp_path: Path) -> None:
    datasets = [{"name": "tank", "used": {"parsed": 1099511627776, "value": "1T"}, "available": {"parsed": 3298534883328}}]
    pools = [{"name": "tank", "healthy": True}]
    replies = {"/api/v2.0/pool/dataset": datasets, "/api/v2.0/pool": pools}
    content, api = await render(tmp_path, "truenas-scale-pools.yml", replies,
                                environ={"TRUENAS_HOST": "{api}", "TRUENAS_API_KEY": "nas-key"})

    assert "1T / 4.0T (25.0%)" in compact(content)
    assert api.received("/api/v2.0/pool")[0].headers["authorization"] == "Bearer nas-key"


async def test_football_league_table(tmp_path: Path) -> None:
    table = [{"position": 1, "team": {"id": 57, "shortName": "Arsenal"}, "playedGames": 10, "goalDifference": 20,
              "points": 25}]
    rewrite = {"https://api.football-data.org": "{api}"}
    content, _ = await render(tmp_path, "football-league-table.yml",
                              {"/v4/competitions/PL/standings": {"competition": {"name": "Premier League"},
                                                                 "standings": [{"table": table}]}},
                              rewrite, {"COMPETITION_ID": "PL", "TEAM_ID": "57"})

    assert "Premier League" in compact(content)
    assert "Arsenal" in compact(content)


async def test_leetcode_posts_graphql_body(tmp_path: Path) -> None:
    question = {"link": "/problems/two-sum/", "question": {"questionId": "1", "title": "Two Sum", "difficulty": "Easy",
                                                           "topicTags": [{"name": "Array", "slug": "array"}]}}
    rewrite = {"url: https://leetcode.com/graphql": "url: {api}/graphql"}
    content, api = await render(tmp_path, "leetcode-daily-question.yml",
                                {"/graphql": {"data": {"activeDailyCodingChallengeQuestion": question}}}, rewrite)

    request = api.received("/graphql")[0]
    assert "1 - Two Sum" in compact(content)
    assert request.method == "POST"
    assert request.json["operationName"] == "questionOfToday"
    assert request.headers["content-type"] == "application/json"


async def test_uptime_kuma_subrequest(tmp_path: Path) -> None:
    page = {"publicGroupList": [{"monitorList": [{"id": 7, "name": "Router"}]}]}
    heartbeats = {"heartbeatList": {"7": [{"status": 0, "msg": "refused"}, {"status": 1, "ping": 12}]}}
    replies = {"/api/status-page/home": page, "/api/status-page/heartbeat/home": heartbeats}
    content, _ = await render(tmp_path, "uptime-kuma.yml", replies,
                              environ={"UPTIME_KUMA_URL": "{api}", "UPTIME_KUMA_STATUS_SLUG": "home"})

    assert "Router" in compact(content)
    assert "12ms" in compact(content)


async def test_speedtest_tracker_subrequest(tmp_path: Path) -> None:
    latest = {"data": {"download_bits": 500_000_000, "upload_bits": 50_000_000, "ping": 12.4}}
    stats = {"data": {"download": {"avg_bits": 400_000_000}, "upload": {"avg_bits": 50_000_000}, "ping": {"avg": 15}}}
    replies = {"/api/v1/results/latest": latest, "/api/v1/stats": stats}
    content, api = await render(tmp_path, "speedtest-tracker.yml", replies,
                                environ={"SPEEDTEST_URL": "{api}", "SPEEDTEST_TRACKER_API_TOKEN": "st-token"})

    assert "500.0" in compact(content)
    assert "+25.0%" in compact(content)
    assert api.received("/api/v1/stats")[0].headers["authorization"] == "Bearer st-token"
