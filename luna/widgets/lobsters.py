"""`lobsters`: stories from lobste.rs or a self-hosted Lobsters instance, through its JSON pages."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Literal
from urllib.parse import quote

from pydantic import Field

from luna.config.fields import WebURL
from luna.feeds.fetch import JSON_ACCEPT, FetchError, fetch, raise_for_status, rebase_url
from luna.feeds.options import ApiWidgetOptions, CollapseAfter
from luna.feeds.parsing import parse_time
from luna.feeds.posts import ForumPost, as_count
from luna.feeds.text import host_of, plain_text, safe_link
from luna.widgets.base import Widget
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

INSTANCE_URL = "https://lobste.rs/"
SERVICE = "Lobsters"
PAGES = {"hot": "hottest.json", "new": "newest.json"}


class LobstersOptions(ApiWidgetOptions):
    instance_url: WebURL = INSTANCE_URL
    # A full URL of a JSON story list; it overrides instance-url, sort-by and tags.
    custom_url: WebURL | None = None
    limit: int = Field(default=15, ge=1)
    collapse_after: CollapseAfter = 5
    sort_by: Literal["hot", "new"] = "hot"
    # Stories with any of these tags; sort-by does not apply to tag pages.
    tags: list[str] = Field(default_factory=list)


@register
class LobstersWidget(Widget):
    type = "lobsters"
    options_model = LobstersOptions
    default_title = "Lobsters"
    default_interval = 3600.0

    @property
    def lobsters_options(self) -> LobstersOptions:
        return self.options  # type: ignore[return-value]

    @property
    def default_title_url(self) -> str:
        return self.lobsters_options.instance_url

    def stories_url(self) -> str:
        options = self.lobsters_options
        if options.custom_url:
            return rebase_url(options.custom_url, options.api_base_url)

        instance = options.instance_url.rstrip("/")
        if options.tags:
            page = "t/" + ",".join(quote(tag.strip(), safe="") for tag in options.tags) + ".json"
        else:
            page = PAGES[options.sort_by]
        return rebase_url(f"{instance}/{page}", options.api_base_url)

    async def refresh(self, context: RefreshContext) -> tuple[ForumPost, ...]:
        options = self.lobsters_options
        url = self.stories_url()
        response = await fetch(
            context.http, url, headers={"Accept": JSON_ACCEPT}, timeout=options.timeout, max_bytes=options.max_response_size
        )
        raise_for_status(response, SERVICE, context.clock.now())

        stories = response.json(SERVICE)
        if not isinstance(stories, list):
            raise FetchError(f"{SERVICE} sent an unexpected story list", f"{url}: expected a JSON array of stories")
        now = context.clock.now()
        posts = [post for post in (self._post(story, url, now) for story in stories) if post is not None]
        return tuple(posts[: options.limit])

    def _post(self, story: Any, page_url: str, now: float) -> ForumPost | None:
        if not isinstance(story, dict) or not story.get("title"):
            logger.debug("lobsters: skipping an entry without a title from %s", page_url)
            return None

        target = safe_link(story.get("url"), page_url)
        tags = story.get("tags") if isinstance(story.get("tags"), list) else []
        return ForumPost(
            id=str(story.get("short_id", "")),
            title=plain_text(str(story["title"]), is_html=False),
            discussion_url=safe_link(story.get("comments_url") or story.get("short_id_url"), page_url),
            target_url=target,
            target_domain=host_of(target),
            comments=as_count(story.get("comment_count")),
            score=as_count(story.get("score")),
            posted_at=parse_time(story.get("created_at"), now),
            tags=tuple(plain_text(str(tag), is_html=False) for tag in tags if tag),
        )

    def template_context(self) -> dict[str, Any]:
        return {"posts": self.state.data or ()}

    def public_data(self) -> Any:
        return [dataclasses.asdict(post) for post in self.state.data or ()]

