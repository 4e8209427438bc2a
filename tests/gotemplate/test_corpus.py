"""Every community custom-api template parses, and a set of them render against realistic JSON."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from luna.clock import ManualClock
from luna.gotemplate import TemplateSyntaxError, parse
from luna.gotemplate.glance import CustomAPIRequest, FetchResult, ResponseData, TemplateData, glance_functions

from .corpus import COMMUNITY_WIDGETS, community_templates, substitute_variables, widget_options

pytestmark = pytest.mark.skipif(not COMMUNITY_WIDGETS.is_dir(), reason="the community widget corpus is not present")

TEMPLATES = community_templates() if COMMUNITY_WIDGETS.is_dir() else []
# The published file stops in the middle of its template: its {{if}} and
# {{range}} never reach {{end}}, which Go rejects as well.
TRUNCATED = {"youtube-embedded-player-2.yml"}
FUNCTIONS = glance_functions(now=ManualClock(start=1_700_000_000.0).now, local_zone=ZoneInfo("UTC"))


def test_corpus_has_templates() -> None:
    assert len(TEMPLATES) >= 130


@pytest.mark.parametrize("template", [t for t in TEMPLATES if t.file not in TRUNCATED], ids=lambda t: t.id)
def test_community_template_parses(template) -> None:
    parse(substitute_variables(template.source), name=template.file, functions=FUNCTIONS)


def test_truncated_template_reports_missing_end() -> None:
    source = next(t.source for t in TEMPLATES if t.file in TRUNCATED)

    with pytest.raises(TemplateSyntaxError) as caught:
        parse(substitute_variables(source), functions=FUNCTIONS)

    assert "has no {{end}}" in caught.value.message


def render_widget(file: str, body: object, fetched: dict[str, object] | None = None) -> str:
    """Render the first template of a file with body as the primary response and fake subrequests."""
    source = substitute_variables(next(t.source for t in TEMPLATES if t.file == file))

    def fetch(request: CustomAPIRequest) -> FetchResult:
        for fragment, answer in (fetched or {}).items():
            if request.url.endswith(fragment):
                return FetchResult(200, json.dumps(answer))
        return FetchResult(404, "{}")

    functions = glance_functions(now=ManualClock(start=1_700_000_000.0).now, local_zone=ZoneInfo("UTC"), fetch=fetch)
    text = body if isinstance(body, str) else json.dumps(body)
    data = TemplateData(ResponseData.from_fetch(FetchResult(200, text)), options=widget_options(file))
    return parse(source, name=file, functions=functions).execute(data, timeout=10)


def compact(html: str) -> str:
    return " ".join(html.split())


def test_random_fact_shows_text() -> None:
    html = render_widget("random-fact.yml", {"text": "Honey never spoils & lasts."})

    assert '<p class="size-h4 color-paragraph">Honey never spoils &amp; lasts.</p>' in html


def test_random_bible_verse_reference() -> None:
    body = {"random_verse": {"book": "John", "chapter": 3, "verse": 16, "text": "For God so loved the world"}}
    html = render_widget("random-bible-verse.yml", body)

    assert "John 3:16</p>" in html
    assert "For God so loved the world" in html


def test_spotify_now_playing_unquoted_src() -> None:
    body = {"image": "https://i.scdn.co/image/ab67", "shortenedName": "Song", "formattedArtist": "A & B"}
    html = render_widget("spotify-now-playing.yml", body)

    assert "<img src=https://i.scdn.co/image/ab67 style=" in html
    assert '<div class="size-h4">A &amp; B</div>' in html


def test_bluesky_news_skips_posts_without_link() -> None:
    linked = {"post": {"embed": {"external": {"title": "Big story", "uri": "https://news.example/a"}},
                       "author": {"displayName": "Reporter", "did": "did:plc:abc", "handle": "rep.bsky"},
                       "record": {"text": "Read this"}}}
    plain = {"post": {"author": {"displayName": "Other"}, "record": {"text": "No link here"}}}
    html = render_widget("trending-bluesky-news.yml", {"feed": [linked, plain]})

    assert 'href="https://news.example/a">Big story</a>' in html
    assert 'href="https://bsky.app/profile/did:plc:abc"> @rep.bsky</a>' in html
    assert "No link here" not in html


def test_immich_stats_numbers() -> None:
    html = compact(render_widget("immich-stats.yml", {"photos": 12345, "videos": 678, "usage": 53687091200}))

    assert '<div class="color-highlight size-h3">12,345</div>' in html
    assert '<div class="color-highlight size-h3">50GB</div>' in html


def test_steam_specials_prices_and_links() -> None:
    items = [{"id": 730, "name": "Game One", "header_image": "https://cdn/steam/apps/730/h.jpg", "final_price": 1999,
              "discount_percent": 50},
             {"id": 99, "name": "Bundle", "header_image": "https://cdn/steam/subs/99/h.jpg", "final_price": 500,
              "discount_percent": 10}]
    html = compact(render_widget("steam-specials.yml", {"specials": {"items": items}}))

    assert 'href="https://store.steampowered.com/app/730/">Game One</a>' in html
    assert 'href="https://store.steampowered.com/sub/99/">Bundle</a>' in html
    assert "<li>$19.99</li>" in html
    assert '<li class="color-positive">50% off</li>' in html
    assert "<li>10% off</li>" in html


def test_pagerduty_incident_relative_time() -> None:
    incidents = [{"title": "Disk full", "status": "acknowledged", "html_url": "https://pd/1", "urgency": "high",
                  "type": "incident", "created_at": "2023-11-14T20:00:00Z",
                  "first_trigger_log_entry": {"html_url": "https://pd/1/log"}}]
    html = compact(render_widget("pagerduty-incidents.yml", {"incidents": incidents}))

    assert 'class="size-title-dynamic negative-color"' in html
    assert 'data-dynamic-relative-time="1699992000"' in html
    assert "Disk full" in html


def test_paperless_stats_grouped() -> None:
    html = compact(render_widget("paperlessngx-stats.yml",
                                 {"documents_total": 1500, "documents_inbox": 3, "character_count": 2500000}))

    assert '<div class="color-highlight size-h3">1,500</div>' in html
    assert '<div class="color-highlight size-h3">2,500,000</div>' in html


def test_mealie_meal_cards() -> None:
    body = [{"entryType": "dinner", "recipeId": "r-1", "recipe": {"name": "Lasagna"}}]
    html = compact(render_widget("mealie-todays-meal.yml", body))

    assert "Lasagna</h3>" in html
    assert 'src="http://1/api/media/recipes/r-1/images/original.webp"' in html
    assert "No meals planned" not in html


def test_mealie_empty_plan() -> None:
    html = render_widget("mealie-todays-meal.yml", [])

    assert "No meals planned for today" in html


def test_wg_easy_client_states() -> None:
    body = [{"name": "phone", "enabled": True, "ipv4Address": "10.8.0.2"},
            {"name": "laptop", "enabled": False, "ipv4Address": "10.8.0.3"}]
    html = compact(render_widget("wg-easy-clients.yml", body))

    assert 'phone <span class="text-green-500"> 🟢</span> 10.8.0.2' in html
    assert 'laptop <span class="text-gray-400">🔴</span> 10.8.0.3' in html


def test_peanut_ups_escaped_keys() -> None:
    body = {"battery.charge": 100, "battery.runtime": 1800, "battery.voltage": 13.6, "device.model": 1500,
            "ups.load": 20, "ups.realpower.nominal": 900}
    html = render_widget("peanut-ups-status.yml", body)

    assert "Battery: <strong>100%</strong>" in html
    assert "Runtime: <strong>30 min</strong>" in html
    assert "Voltage: <strong>13.6 V</strong>" in html
    assert "Current: <strong>180 W</strong>" in html


def test_sabnzbd_downloading_queue() -> None:
    body = {"queue": {"status": "Downloading", "speed": "1.2 M", "timeleft": "0:10:00", "noofslots": 4, "mb": "1234.56"}}
    html = compact(render_widget("sabnzbd-stats.yml", body))

    assert "1.2 MB/s" in html
    assert "4 items" in html
    assert "1234.6MB" in html


def test_air_quality_zero_padded_comparison() -> None:
    body = {"data": {"aqi": 75, "time": {"iso": "2023-11-14T20:00:00+01:00"},
                     "iaqi": {"h": {"v": 60}, "o3": {"v": 20.5}, "pm25": {"v": 12}, "p": {"v": 1013}}}}
    html = render_widget("air-quality.yml", body)

    assert "Moderate air quality" in html
    assert "AQI: 75" in html
    assert "20.5 μg/m³" in html


def test_proxmox_counts_with_queries() -> None:
    data = [{"type": "node", "status": "online"}, {"type": "node", "status": "offline"},
            {"type": "lxc", "status": "running", "template": 0}, {"type": "lxc", "status": "stopped", "template": 0},
            {"type": "lxc", "status": "stopped", "template": 1},
            {"type": "qemu", "status": "running", "template": 0},
            {"type": "storage", "status": "available"}, {"type": "storage", "status": "unknown"}]
    html = compact(render_widget("proxmox-ve-stats.yml", {"data": data}))

    assert '1/2</div> <div class="size-h5 uppercase">Node' in html
    assert '1/2</div> <div class="size-h5 uppercase">LXC' in html
    assert '1/1</div> <div class="size-h5 uppercase">VM' in html
    assert '1/2</div> <div class="size-h5 uppercase">Storage' in html


def test_scrutiny_sorted_drives() -> None:
    def drive(name: str, wwn: str, archived: bool, status: int) -> dict:
        return {"device": {"device_name": name, "model_name": f"Model {name}", "wwn": wwn, "archived": archived,
                           "capacity": 4000000000000, "device_status": status},
                "smart": {"power_on_hours": 2400}, "temp_history": [{"temp": 30}, {"temp": 35}]}

    summary = {"w2": drive("sdb", "w2", False, 1), "w1": drive("sda", "w1", False, 0), "w3": drive("sdc", "w3", True, 0)}
    html = compact(render_widget("scrutiny.yml", {"data": {"summary": summary}}))

    assert html.index("/DEV/sda") < html.index("/DEV/sdb")
    assert "/DEV/sdc" not in html
    assert "/DEV/sda · 4TB · 35°C" in html
    assert "Powered on for 100 days" in html
    assert 'title="Failed Health Checks"' in html


def test_truenas_pools_use_subrequests() -> None:
    datasets = [{"name": "tank", "used": {"parsed": 1099511627776, "value": "1T"},
                 "available": {"parsed": 3298534883328}},
                {"name": "tank/child", "used": {"parsed": 1}, "available": {"parsed": 1}}]
    pools = [{"name": "tank", "healthy": True}]
    html = compact(render_widget("truenas-scale-pools.yml", {}, {"/pool/dataset": datasets, "/pool": pools}))

    assert "<span>tank</span>" in html
    assert "tank/child" not in html
    assert "1T / 4.0T (25.0%)" in html
    assert 'style="--percent: 25.0"' in html


def test_football_table_rows() -> None:
    table = [{"position": 1, "team": {"id": 57, "shortName": "Arsenal"}, "playedGames": 10, "goalDifference": 20,
              "points": 25},
             {"position": 2, "team": {"id": 1, "shortName": "Spurs"}, "playedGames": 10, "goalDifference": -3,
              "points": 18}]
    html = compact(render_widget("football-league-table.yml",
                                 {"competition": {"name": "Premier League"}, "standings": [{"table": table}]}))

    assert "Premier League" in html
    assert ">+20</div>" in html
    assert ">-3</div>" in html
    assert "Spurs" in html
    # Go's CSS filter rejects the highlight style (it has ";" and "(") for the configured team.
    assert "gap: 6px; ZgotmplZ" in html


def test_football_table_without_standings() -> None:
    html = render_widget("football-league-table.yml", {"standings": []})

    assert "Unable to load standings" in html
