"""Twitch's GraphQL endpoint, as its own web pages call it: persisted queries sent with the public web Client-ID."""

from __future__ import annotations

import json
from typing import Any

import httpx

from luna.feeds.fetch import JSON_ACCEPT, FetchError, fetch, raise_for_status, rebase_url

SERVICE = "Twitch"
GQL_URL = "https://gql.twitch.tv/gql"
# The Client-ID twitch.tv's own web pages send; the endpoint accepts it without a login.
CLIENT_ID = "kimne78kx3ncx6brgo4mv6wki5h1ko"
# Hashes of the persisted queries twitch.tv's web pages use, as of 2025.
TOP_GAMES_QUERY = "2f67f71ba89f3c0ed26a141ec00da1defecb2303595f5cda4298169549783d9e"
CHANNEL_SHELL_QUERY = "580ab410bcd0c1ad194224957ae2241e5d252b2c5173d8e0cce9d32d5bb14efe"
STREAM_METADATA_QUERY = "676ee2f834ede42eb4514cdb432b3134fefc12590080c9a2c9bb44a2a4a63266"


def operation(name: str, query_hash: str, variables: dict[str, Any]) -> dict[str, Any]:
    return {
        "operationName": name,
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": query_hash}},
    }


async def run_operations(
    http: httpx.AsyncClient,
    operations: list[dict[str, Any]],
    *,
    api_base_url: str | None,
    timeout: float,
    max_bytes: int,
    now: float,
) -> dict[str, Any]:
    """Send a batch of operations and return the `data` of each result by operation name.

    A result that carries `errors` and no data raises FetchError with Twitch's message.
    """

    url = rebase_url(GQL_URL, api_base_url)
    body = json.dumps(operations).encode()
    headers = {"Client-ID": CLIENT_ID, "Content-Type": "application/json", "Accept": JSON_ACCEPT}
    response = await fetch(http, url, method="POST", content=body, headers=headers, timeout=timeout, max_bytes=max_bytes)
    raise_for_status(response, SERVICE, now)

    answers = response.json(SERVICE)
    if not isinstance(answers, list):
        raise FetchError(f"{SERVICE} sent an unexpected response", f"{url}: expected a JSON array, got {type(answers).__name__}")
    return _data_by_operation(operations, answers, url)


def _data_by_operation(operations: list[dict[str, Any]], answers: list[Any], url: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for sent, answer in zip(operations, answers):
        if not isinstance(answer, dict):
            continue
        name = (answer.get("extensions") or {}).get("operationName") or sent["operationName"]
        if answer.get("data") is None and answer.get("errors"):
            message = "; ".join(str(error.get("message", error)) for error in answer["errors"] if isinstance(error, dict))
            raise FetchError(f"{SERVICE} refused the {name} query: {message}", f"{url}: {answer['errors']!r}")
        found[name] = answer.get("data") or {}
    return found
