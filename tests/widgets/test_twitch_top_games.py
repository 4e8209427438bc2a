"""The twitch-top-games widget against a fake of Twitch's GraphQL endpoint answering the directory query."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.support.feeds import FakeUpstream, FeedBench

NAMES = ["Just Chatting", "Minecraft", "Battlefield 6", "Fortnite", "Valorant", "Counter-Strike", "League of Legends",
         "Grand Theft Auto V", "Dota 2", "Apex Legends", "Overwatch 2", "Rust", "World of Warcraft", "Hearthstone",
         "Dead by Daylight", "Call of Duty: Warzone", "Marvel Rivals", "Elden Ring", "Chess", "Music"]


def slug(name: str) -> str:
    return name.lower().replace(":", "").replace(" ", "-")


def node(index: int, name: str) -> dict[str, Any]:
    """A category as BrowsePage_AllDirectories returns it."""

    return {
        "id": str(1000 + index),
        "slug": slug(name),
        "displayName": name,
        "name": name,
        "avatarURL": f"https://static-cdn.jtvnw.net/ttv-boxart/{1000 + index}-285x380.jpg",
        "viewersCount": 500_000 - index * 10_000,
        "tags": [{"id": "t1", "tagName": "Shooter", "__typename": "Tag"}, {"id": "t2", "tagName": "FPS"}, {"id": "t3", "tagName": "Action"}],
        "originalReleaseDate": "2020-01-01T00:00:00Z",
        "__typename": "Game",
    }


def serve_directory(upstream: FakeUpstream, names: list[str] = NAMES) -> list[dict[str, Any]]:
    """Answer the directory query with the first `limit` categories; return the operations received."""

    received: list[dict[str, Any]] = []

    async def answer(request: Request) -> Response:
        operations = json.loads(await request.body())
        received.extend(operations)
        limit = operations[0]["variables"]["limit"]
        edges = [{"cursor": str(index), "trackingID": "x", "node": node(index, name)} for index, name in enumerate(names[:limit])]
        data = {"directoriesWithTags": {"edges": edges, "pageInfo": {"hasNextPage": True}}}
        return JSONResponse([{"data": data, "extensions": {"durationMilliseconds": 40, "operationName": "BrowsePage_AllDirectories", "requestID": "r"}}])

    upstream.handle("/gql", answer)
    return received


def serve_viewer_counts(upstream: FakeUpstream, counts: list[int]) -> None:
    """Respond to the directory query with one category per viewer count."""

    async def answer(request: Request) -> Response:
        edges = [{"cursor": str(index), "node": {**node(index, NAMES[index]), "viewersCount": count}} for index, count in enumerate(counts)]
        data = {"directoriesWithTags": {"edges": edges}}
        return JSONResponse([{"data": data, "extensions": {"operationName": "BrowsePage_AllDirectories"}}])

    upstream.handle("/gql", answer)


def names(element: Any) -> list[str]:
    return [name.text for name in element.select(".twitch-game-name")]


async def test_top_games_listed(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_directory(upstream)
    games = bench.stage(f"type: twitch-top-games\napi-base-url: {upstream.url}\nlimit: 3")

    element = await games.refresh()

    assert names(element) == ["Just Chatting", "Minecraft", "Battlefield 6"]
    first = element.select("li.twitch-game")[0]
    assert first.select("a")[0]["href"] == "https://www.twitch.tv/directory/category/just-chatting"
    assert first.select(".twitch-viewers")[0].text == "500,000 viewers"
    assert first.select("img")[0]["src"] == "https://static-cdn.jtvnw.net/ttv-boxart/1000-144x192.jpg"
    assert [tag.text for tag in first.select(".feed-tag")] == ["Shooter", "FPS"]


async def test_request_carries_client_id(upstream: FakeUpstream, bench: FeedBench) -> None:
    received = serve_directory(upstream)
    games = bench.stage(f"type: twitch-top-games\napi-base-url: {upstream.url}")

    await games.refresh()

    request = upstream.requests_to("/gql")[0]
    assert request.method == "POST"
    assert request.headers["client-id"] == "kimne78kx3ncx6brgo4mv6wki5h1ko"
    assert received[0]["operationName"] == "BrowsePage_AllDirectories"
    assert received[0]["variables"]["options"]["sort"] == "VIEWER_COUNT"


async def test_exclusions_keep_limit(upstream: FakeUpstream, bench: FeedBench) -> None:
    received = serve_directory(upstream)
    games = bench.stage(f"type: twitch-top-games\napi-base-url: {upstream.url}\nlimit: 10\nexclude: [just-chatting, Battlefield-6]")

    element = await games.refresh()

    shown = names(element)
    assert len(shown) == 10
    assert "Just Chatting" not in shown
    assert "Battlefield 6" not in shown
    assert received[0]["variables"]["limit"] == 12


async def test_exclusion_matches_name_any_case(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_directory(upstream)
    games = bench.stage(f"type: twitch-top-games\napi-base-url: {upstream.url}\nlimit: 2\nexclude: [JUST CHATTING]")

    element = await games.refresh()

    assert names(element) == ["Minecraft", "Battlefield 6"]


async def test_few_left_shows_rest(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_directory(upstream, NAMES[:3])
    games = bench.stage(f"type: twitch-top-games\napi-base-url: {upstream.url}\nexclude: [minecraft, just-chatting, battlefield-6]")

    element = await games.refresh()

    assert names(element) == []
    assert element.select(".widget-error") == []
    assert element.select(".widget-empty")[0].text == "No categories are left to show."


async def test_graphql_error_reported(upstream: FakeUpstream, bench: FeedBench) -> None:
    upstream.json("/gql", [{"errors": [{"message": "PersistedQueryNotFound"}], "extensions": {"operationName": "BrowsePage_AllDirectories"}}])
    games = bench.stage(f"type: twitch-top-games\napi-base-url: {upstream.url}")

    element = await games.refresh()

    reason = element.select(".widget-error-reason")[0].text
    assert reason == "Twitch refused the BrowsePage_AllDirectories query: PersistedQueryNotFound"


async def test_collapse_after_marks_list(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_directory(upstream)
    games = bench.stage(f"type: twitch-top-games\napi-base-url: {upstream.url}\ncollapse-after: 4")

    element = await games.refresh()

    assert element.select("ul.twitch-games")[0]["data-collapse-after"] == "4"


async def test_one_viewer_singular(upstream: FakeUpstream, bench: FeedBench) -> None:
    serve_viewer_counts(upstream, [1234, 1, 0])
    games = bench.stage(f"type: twitch-top-games\napi-base-url: {upstream.url}")

    element = await games.refresh()

    assert [viewers.text for viewers in element.select(".twitch-viewers")] == ["1,234 viewers", "1 viewer", "0 viewers"]
