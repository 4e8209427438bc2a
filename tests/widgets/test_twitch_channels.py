"""The twitch-channels widget against a fake of Twitch's GraphQL endpoint (ChannelShell and StreamMetadata)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.support.feeds import FakeUpstream, FeedBench

STARTED = "2025-01-06T08:00:00Z"


def shell(login: str, live: dict[str, Any] | None) -> dict[str, Any]:
    user = {
        "__typename": "User",
        "id": f"id-{login}",
        "login": login,
        "displayName": login.capitalize(),
        "primaryColorHex": "9147FF",
        "profileImageURL": f"https://static-cdn.jtvnw.net/jtv_user_pictures/{login}-profile_image-70x70.png",
        "stream": {"id": "s1", "viewersCount": live["viewers"], "__typename": "Stream"} if live else None,
    }
    return {"userOrError": user}


def metadata(login: str, live: dict[str, Any] | None) -> dict[str, Any]:
    stream = None
    if live:
        stream = {"id": "s1", "type": "live", "createdAt": STARTED, "game": {"id": "g", "slug": live["slug"], "name": live["game"]}}
    return {"user": {"id": f"id-{login}", "primaryColorHex": None, "lastBroadcast": {"id": "b", "title": f"{login} streams"}, "stream": stream}}


def serve_channels(upstream: FakeUpstream, channels: dict[str, dict[str, Any] | None], failing: set[str] = frozenset()) -> None:
    """Answer both operations per login: `None` means offline, a dict describes the live stream."""

    async def answer(request: Request) -> Response:
        operations = json.loads(await request.body())
        login = operations[0]["variables"]["login"]
        if login in failing:
            return Response("upstream trouble", status_code=500)
        if login not in channels:
            missing = {"userOrError": {"__typename": "UserDoesNotExistError", "userDoesNotExistReason": "UNKNOWN"}}
            return JSONResponse([{"data": missing, "extensions": {"operationName": "ChannelShell"}}, {"data": {"user": None}, "extensions": {"operationName": "StreamMetadata"}}])
        live = channels[login]
        return JSONResponse(
            [
                {"data": shell(login, live), "extensions": {"durationMilliseconds": 30, "operationName": "ChannelShell"}},
                {"data": metadata(login, live), "extensions": {"durationMilliseconds": 30, "operationName": "StreamMetadata"}},
            ]
        )

    upstream.handle("/gql", answer)


def widget_yaml(upstream: FakeUpstream, channels: list[str], extra: str = "") -> str:
    return f"type: twitch-channels\napi-base-url: {upstream.url}\nchannels: [{', '.join(channels)}]\n{extra}"


def names(element: Any) -> list[str]:
    return [name.text for name in element.select(".twitch-channel-name")]


async def test_live_channel_details_shown(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_channels(upstream, {"alpha": {"viewers": 1234, "game": "Chess", "slug": "chess"}})
    widget = bench.stage(widget_yaml(upstream, ["alpha"]))

    element = await widget.refresh()

    channel = element.select("li.twitch-channel")[0]
    assert channel.has_class("twitch-channel-live")
    assert channel.select(".twitch-channel-state")[0].text == "Live"
    assert channel.select(".twitch-viewers")[0].text == "1,234 viewers"
    assert channel.select("a.twitch-channel-category")[0]["href"] == "https://www.twitch.tv/directory/category/chess"
    assert channel.select("time")[0]["datetime"] == STARTED
    assert channel.select("a.twitch-channel-name")[0]["title"] == "alpha streams"


async def test_one_viewer_singular(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_channels(upstream, {"alpha": {"viewers": 1, "game": "Chess", "slug": "chess"}})
    widget = bench.stage(widget_yaml(upstream, ["alpha"]))

    element = await widget.refresh()

    assert element.select(".twitch-viewers")[0].text == "1 viewer"


async def test_offline_and_missing_channels(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_channels(upstream, {"quiet": None})
    widget = bench.stage(widget_yaml(upstream, ["quiet", "nobody"]))

    element = await widget.refresh()

    states = [state.text for state in element.select(".twitch-channel-state")]
    assert states == ["Offline", "Channel not found"]
    assert element.select("time") == []


async def test_sort_by_viewers_puts_live_first(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_channels(upstream, {
        "small": {"viewers": 5, "game": "Art", "slug": "art"},
        "off": None,
        "big": {"viewers": 900, "game": "Art", "slug": "art"},
    })
    widget = bench.stage(widget_yaml(upstream, ["small", "off", "big"]))

    element = await widget.refresh()

    assert names(element) == ["Big", "Small", "Off"]


async def test_sort_by_live_keeps_order(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_channels(upstream, {
        "small": {"viewers": 5, "game": "Art", "slug": "art"},
        "off": None,
        "big": {"viewers": 900, "game": "Art", "slug": "art"},
    })
    widget = bench.stage(widget_yaml(upstream, ["off", "small", "big"], "sort-by: live"))

    element = await widget.refresh()

    assert names(element) == ["Small", "Big", "Off"]


async def test_one_failing_channel_noted(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_channels(upstream, {"alpha": None, "beta": None}, failing={"beta"})
    widget = bench.stage(widget_yaml(upstream, ["alpha", "beta"]))

    element = await widget.refresh()

    assert names(element) == ["Alpha"]
    assert [note.text for note in element.select(".feed-note")] == ["beta: Twitch answered HTTP 500"]
    assert element.has_class("widget-is-stale") is False


async def test_all_failing_is_error(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_channels(upstream, {}, failing={"alpha"})
    widget = bench.stage(widget_yaml(upstream, ["alpha"]))

    element = await widget.refresh()

    assert element.select(".widget-error-reason")[0].text == "no channel could be fetched: Twitch answered HTTP 500"


async def test_every_failing_channel_listed(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_channels(upstream, {}, failing={"alpha", "beta"})
    widget = bench.stage(widget_yaml(upstream, ["alpha", "beta"]))

    element = await widget.refresh()

    reason = element.select(".widget-error-reason")[0].text
    assert reason == "all 2 channels failed: alpha: Twitch answered HTTP 500; beta: Twitch answered HTTP 500"


async def test_collapse_after_marks_list(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_channels(upstream, {"alpha": None})
    widget = bench.stage(widget_yaml(upstream, ["alpha"], "collapse-after: 2"))

    element = await widget.refresh()

    assert element.select("ul.twitch-channels")[0]["data-collapse-after"] == "2"
