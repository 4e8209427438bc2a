"""A fake upstream for the feed widgets, documents in real feed formats, and a bench that refreshes widgets.

The fake serves what a test sets per path on 127.0.0.1 and records every
request. The documents follow the public formats: RSS 2.0, RSS 1.0 (RDF),
Atom and YouTube's channel feed (Atom with the yt: and media: namespaces).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from luna.clock import ManualClock
from luna.scheduler import Scheduler
from luna.web.rendering import render_with_ancestors
from luna.widgets.base import Widget
from luna.widgets.refresh import RefreshContext
from tests.support.html import Element
from tests.support.servers import serve_in_thread
from tests.support.widgets import StagedWidget, stage_widget

# The longest a delayed answer waits; the fake releases every waiting answer when it stops.
MAX_DELAY = 60.0
# Where a FeedBench clock starts: 2025-06-01 00:00 UTC, after every date the
# documents below carry, so none of them lies in the future.
BENCH_START = 1748736000.0


@dataclass
class Answer:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds before the answer is sent.
    delay: float = 0.0


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Request], Awaitable[Response]]


class FakeUpstream:
    """Answers each path (or path with query) with what the test set; anything else is a 404."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer | Handler] = {}
        self.requests: list[Recorded] = []
        self.url = ""
        self._released = threading.Event()

    def answer(self, path: str, body: bytes | str, **options: Any) -> Answer:
        data = body.encode() if isinstance(body, str) else body
        answer = Answer(body=data, **options)
        self.answers[path] = answer
        return answer

    def json(self, path: str, value: Any, **options: Any) -> Answer:
        return self.answer(path, json.dumps(value), **options)

    def handle(self, path: str, handler: Handler) -> None:
        self.answers[path] = handler

    def requests_to(self, path: str) -> list[Recorded]:
        return [request for request in self.requests if request.path == path]

    def link(self, path: str) -> str:
        return self.url + path

    async def _respond(self, request: Request) -> Response:
        body = await request.body()
        path, query = request.url.path, request.url.query
        self.requests.append(Recorded(request.method, path, query, dict(request.headers), body))

        answer = self.answers.get(f"{path}?{query}") or self.answers.get(path)
        if answer is None:
            return Response(f"nothing at {path}", status_code=404, media_type="text/plain")
        if callable(answer):
            return await answer(request)
        if answer.delay:
            await self.wait(answer.delay)
        return Response(answer.body, status_code=answer.status, media_type=answer.content_type, headers=answer.headers)

    async def wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, ending early when the fake stops, so no test waits out a slow answer."""

        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(seconds, MAX_DELAY)
        while loop.time() < deadline and not self._released.is_set():
            await asyncio.sleep(0.02)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._respond, methods=["GET", "POST", "HEAD"])])

    @contextmanager
    def serve(self, port: int | None = None) -> Iterator[FakeUpstream]:
        with serve_in_thread(self.app(), port=port) as url:
            self.url = url
            try:
                yield self
            finally:
                self._released.set()


@contextmanager
def fake_upstream() -> Iterator[FakeUpstream]:
    with FakeUpstream().serve() as upstream:
        yield upstream


class FeedBench:
    """Stages widgets from YAML and refreshes them as the scheduler does, with a real HTTP client."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.contexts: list[RefreshContext] = []

    def stage(self, widget_yaml: str) -> BenchWidget:
        clock = ManualClock(BENCH_START)
        staged = stage_widget(self.folder, widget_yaml, clock=clock)
        context = RefreshContext(clock)
        self.contexts.append(context)
        return BenchWidget(staged, context, clock, Scheduler([staged.widget], context, clock))

    async def aclose(self) -> None:
        for context in self.contexts:
            await context.aclose()


@dataclass
class BenchWidget:
    staged: StagedWidget
    context: RefreshContext
    clock: ManualClock
    scheduler: Scheduler

    @property
    def widget(self) -> Widget:
        return self.staged.widget

    @property
    def data(self) -> Any:
        return self.widget.state.data

    async def refresh(self) -> Element:
        """Refresh once and return the widget's element as the page would now show it."""

        self.last_delay = await self.scheduler.refresh_once(self.widget)
        render_with_ancestors(self.widget, self.staged.runtime.renderer)
        return self.staged.element


# ---- documents in public feed formats -------------------------------------------------------


@dataclass
class Entry:
    title: str
    link: str | None = None
    # RFC 822 for RSS 2.0, ISO 8601 for Atom and RSS 1.0; None leaves the date out.
    date: str | None = None
    description: str | None = None
    categories: Sequence[str] = ()
    thumbnail: str | None = None
    # Raw XML inserted into the item as it is, for cases the fields do not cover.
    extra: str = ""


def rss(entries: Sequence[Entry], title: str = "Fake RSS", link: str = "http://127.0.0.1/", encoding: str = "utf-8") -> str:
    """An RSS 2.0 document; descriptions are escaped into the XML as feeds usually send HTML."""

    items = "".join(_rss_item(entry) for entry in entries)
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>{escape(title)}</title><link>{escape(link)}</link><description>Test feed</description>"
        f"{items}</channel></rss>"
    )


def _rss_item(entry: Entry) -> str:
    parts = [f"<title>{escape(entry.title)}</title>"]
    if entry.link is not None:
        parts.append(f"<link>{escape(entry.link)}</link>")
    if entry.date is not None:
        parts.append(f"<pubDate>{escape(entry.date)}</pubDate>")
    if entry.description is not None:
        parts.append(f"<description>{escape(entry.description)}</description>")
    parts += [f"<category>{escape(category)}</category>" for category in entry.categories]
    if entry.thumbnail:
        parts.append(f"<media:thumbnail url={quoteattr(entry.thumbnail)}/>")
    return "<item>" + "".join(parts) + entry.extra + "</item>"


def atom(entries: Sequence[Entry], title: str = "Fake Atom", link: str = "/", base: str | None = None) -> str:
    """An Atom 1.0 document; `base` sets xml:base on the feed element."""

    base_attribute = f" xml:base={quoteattr(base)}" if base else ""
    body = "".join(_atom_entry(index, entry) for index, entry in enumerate(entries))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom"{base_attribute}>'
        f"<title>{escape(title)}</title><link href={quoteattr(link)}/><id>urn:fake:feed</id>"
        f"<updated>2025-01-06T10:00:00Z</updated>{body}</feed>"
    )


def _atom_entry(index: int, entry: Entry) -> str:
    parts = [f"<title>{escape(entry.title)}</title>", f"<id>urn:fake:{index}</id>"]
    if entry.link is not None:
        parts.append(f'<link rel="alternate" href={quoteattr(entry.link)}/>')
    if entry.date is not None:
        parts.append(f"<published>{escape(entry.date)}</published><updated>{escape(entry.date)}</updated>")
    if entry.description is not None:
        parts.append(f'<summary type="html">{escape(entry.description)}</summary>')
    parts += [f"<category term={quoteattr(category)}/>" for category in entry.categories]
    return "<entry>" + "".join(parts) + entry.extra + "</entry>"


def rdf(entries: Sequence[Entry], title: str = "Fake RDF") -> str:
    """An RSS 1.0 document, whose items carry their dates as dc:date."""

    about = "".join(f'<rdf:li rdf:resource={quoteattr(entry.link or "")}/>' for entry in entries)
    items = "".join(
        f"<item rdf:about={quoteattr(entry.link or '')}><title>{escape(entry.title)}</title>"
        + (f"<link>{escape(entry.link)}</link>" if entry.link else "")
        + (f"<dc:date>{escape(entry.date)}</dc:date>" if entry.date else "")
        + (f"<description>{escape(entry.description)}</description>" if entry.description else "")
        + "</item>"
        for entry in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="http://127.0.0.1/"><title>{escape(title)}</title><link>http://127.0.0.1/</link>'
        f"<description>Test</description><items><rdf:Seq>{about}</rdf:Seq></items></channel>{items}</rdf:RDF>"
    )


@dataclass
class Video:
    video_id: str
    title: str
    published: str = "2025-01-06T10:00:00+00:00"
    short: bool = False


def youtube_feed(channel_id: str, channel_name: str, videos: Sequence[Video]) -> str:
    """A feed as youtube.com/feeds/videos.xml sends it for a channel or playlist."""

    entries = "".join(_youtube_entry(channel_id, channel_name, video) for video in videos)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns="http://www.w3.org/2005/Atom">'
        f'<link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id={channel_id}"/>'
        f"<id>yt:channel:{channel_id[2:]}</id><yt:channelId>{channel_id[2:]}</yt:channelId>"
        f"<title>{escape(channel_name)}</title>"
        f'<link rel="alternate" href="https://www.youtube.com/channel/{channel_id}"/>'
        f"<author><name>{escape(channel_name)}</name><uri>https://www.youtube.com/channel/{channel_id}</uri></author>"
        f"<published>2015-01-01T00:00:00+00:00</published>{entries}</feed>"
    )


def _youtube_entry(channel_id: str, channel_name: str, video: Video) -> str:
    page = f"https://www.youtube.com/shorts/{video.video_id}" if video.short else f"https://www.youtube.com/watch?v={video.video_id}"
    return (
        f"<entry><id>yt:video:{video.video_id}</id><yt:videoId>{video.video_id}</yt:videoId>"
        f"<yt:channelId>{channel_id}</yt:channelId><title>{escape(video.title)}</title>"
        f'<link rel="alternate" href="{page}"/>'
        f"<author><name>{escape(channel_name)}</name><uri>https://www.youtube.com/channel/{channel_id}</uri></author>"
        f"<published>{video.published}</published><updated>{video.published}</updated>"
        f"<media:group><media:title>{escape(video.title)}</media:title>"
        f'<media:content url="https://www.youtube.com/v/{video.video_id}?version=3" type="application/x-shockwave-flash" width="640" height="390"/>'
        f'<media:thumbnail url="https://i1.ytimg.com/vi/{video.video_id}/hqdefault.jpg" width="480" height="360"/>'
        f"<media:description>About {escape(video.title)}</media:description>"
        '<media:community><media:starRating count="10" average="5.00" min="1" max="5"/>'
        '<media:statistics views="100"/></media:community></media:group></entry>'
    )
