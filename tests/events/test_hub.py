from __future__ import annotations

import json

import pytest

from luna.clock import ManualClock
from luna.events.hub import PING, EventHub, HubSettings
from luna.events.subscriber import Subscriber
from luna.events.types import Event


def site_event(status: int, site: int = 0) -> Event:
    return Event("monitor:site_changed", {"widget_id": "w1", "site": site, "status": status}, key=("site", "w1", site))


async def take(subscriber: Subscriber) -> list[dict]:
    """Return the decoded messages waiting in a subscriber's queue, leaving it empty."""

    if len(subscriber) == 0:
        return []
    chunk = await subscriber.get()
    assert chunk is not None
    messages = []
    for block in chunk.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":") and ": " in line)
        if "data" in fields:
            messages.append({"id": fields.get("id"), **json.loads(fields["data"])})
    return messages


@pytest.fixture
async def hub() -> EventHub:
    clock = ManualClock()
    hub = EventHub(HubSettings(coalesce_window=5.0, ping_interval=30.0, buffer_size=5, client_queue=8), clock)
    hub.start()
    yield hub
    await hub.stop()


async def test_first_event_sent_at_once(hub: EventHub) -> None:
    client = hub.subscribe()
    await take(client)

    hub.publish(site_event(1))

    messages = await take(client)
    assert [message["data"]["status"] for message in messages] == [1]


async def test_change_inside_window_held_then_sent(hub: EventHub) -> None:
    client = hub.subscribe()
    await take(client)
    hub.publish(site_event(1))
    await take(client)

    await hub.clock.advance(1)
    hub.publish(site_event(0))
    held = await take(client)
    await hub.clock.advance(4)
    flushed = await take(client)

    assert held == []
    assert [message["data"]["status"] for message in flushed] == [0]


async def test_flap_inside_window_ends_up(hub: EventHub) -> None:
    client = hub.subscribe()
    await take(client)
    hub.publish(site_event(0))

    await hub.clock.advance(1)
    hub.publish(site_event(1))
    await hub.clock.advance(1)
    hub.publish(site_event(0))
    await hub.clock.advance(5)

    statuses = [message["data"]["status"] for message in await take(client)]
    assert statuses == [0, 0]
    assert hub.stats.coalesced == 1


async def test_two_sites_both_reported(hub: EventHub) -> None:
    client = hub.subscribe()
    await take(client)

    hub.publish(site_event(1, site=0))
    hub.publish(site_event(1, site=1))

    sites = [message["data"]["site"] for message in await take(client)]
    assert sites == [0, 1]


async def test_window_reopens_after_quiet_period(hub: EventHub) -> None:
    client = hub.subscribe()
    await take(client)
    hub.publish(site_event(1))

    await hub.clock.advance(6)
    hub.publish(site_event(0))

    assert len(await take(client)) == 2


async def test_ids_increase(hub: EventHub) -> None:
    client = hub.subscribe()
    await take(client)

    for site in range(4):
        hub.publish(site_event(1, site=site))

    ids = [message["id"] for message in await take(client)]
    parsed = [tuple(int(part) for part in event_id.split("-")) for event_id in ids]
    assert parsed == sorted(parsed)
    assert len(set(ids)) == 4


async def test_reconnect_replays_missed_events(hub: EventHub) -> None:
    client = hub.subscribe()
    await take(client)
    hub.publish(site_event(1, site=0))
    seen = await take(client)
    hub.unsubscribe(client)

    hub.publish(site_event(1, site=1))
    hub.publish(site_event(1, site=2))
    again = hub.subscribe(seen[-1]["id"])

    replayed = await take(again)
    assert [message["data"]["site"] for message in replayed] == [1, 2]


async def test_reconnect_with_newest_id_replays_nothing(hub: EventHub) -> None:
    hub.publish(site_event(1))
    client = hub.subscribe(str(hub.ids.last))

    assert await take(client) == []


async def test_gap_older_than_buffer_resyncs(hub: EventHub) -> None:
    client = hub.subscribe()
    await take(client)
    hub.publish(site_event(1, site=0))
    first = (await take(client))[0]["id"]

    for site in range(1, 8):
        hub.publish(site_event(1, site=site))
    again = hub.subscribe(first)

    messages = await take(again)
    assert [message["type"] for message in messages] == ["resync"]
    assert messages[0]["id"] == str(hub.ids.last)


async def test_id_from_before_start_resyncs(hub: EventHub) -> None:
    client = hub.subscribe("1000-0")

    messages = await take(client)
    assert messages[0]["type"] == "resync"


async def test_unreadable_id_resyncs(hub: EventHub) -> None:
    client = hub.subscribe("not-an-id")

    assert (await take(client))[0]["type"] == "resync"


async def test_client_not_reading_is_dropped(hub: EventHub) -> None:
    stuck = hub.subscribe()
    reader = hub.subscribe()

    for site in range(12):
        hub.publish(site_event(1, site=site))
        await take(reader)

    assert stuck.closed
    assert stuck not in hub.subscribers
    assert reader in hub.subscribers
    assert hub.stats.dropped_clients == 1


async def test_ping_reaches_idle_clients(hub: EventHub) -> None:
    client = hub.subscribe()
    await take(client)

    await hub.clock.advance(30)

    chunk = await client.get()
    assert chunk == PING


async def test_first_message_carries_retry(hub: EventHub) -> None:
    client = hub.subscribe()

    chunk = await client.get()
    assert chunk is not None
    assert chunk.startswith(b"retry: ")


async def test_stop_closes_subscribers(hub: EventHub) -> None:
    client = hub.subscribe()
    await take(client)

    await hub.stop()

    assert client.closed
    assert await client.get() is None


async def test_held_event_survives_buffer_resize(hub: EventHub) -> None:
    hub.publish(site_event(1))

    hub.configure(HubSettings(coalesce_window=5.0, ping_interval=30.0, buffer_size=50, client_queue=8))
    client = hub.subscribe(str(hub.ids.start))

    messages = await take(client)
    assert [message["data"]["status"] for message in messages] == [1]


async def test_expired_stream_ended_at_ping(hub: EventHub) -> None:
    clock: ManualClock = hub.clock  # type: ignore[assignment]
    expiring = hub.subscribe()
    expiring.expires_at = clock.now() + 40
    lasting = hub.subscribe()
    lasting.expires_at = clock.now() + 1000

    await clock.advance(30)
    open_after_first_ping = not expiring.closed
    await clock.advance(30)

    assert open_after_first_ping
    assert expiring.closed
    assert expiring not in hub.subscribers
    assert not lasting.closed
