"""`hacker-news`: the front page of Hacker News (top, new or best stories) from its Firebase API."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Annotated, Any, Literal

from pydantic import Field

from luna.feeds.fetch import JSON_ACCEPT, FetchError, fetch, raise_for_status, rebase_url
from luna.feeds.options import ApiWidgetOptions, CollapseAfter, at_most
from luna.feeds.posts import ForumPost, as_count, by_engagement, fill_template
from luna.feeds.text import host_of, plain_text, safe_link
from luna.widgets.base import Widget, WidgetError
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

API_URL = "https://hacker-news.firebaseio.com"
DISCUSSION_URL = "https://news.ycombinator.com/item?id={POST-ID}"
# Items fetched beyond `limit` in the first round, so a few deleted or slow
# stories do not cost a second round.
SPARE_ITEMS = 5
SERVICE = "Hacker News"
# Rounds of item requests at most; each round asks for the stories the
# earlier ones could not read, so three cover all but a broken API.
MAX_ROUNDS = 3


class HackerNewsOptions(ApiWidgetOptions):
    # The story lists hold at most 500 ids.
    limit: Annotated[int, Field(ge=1), at_most(500)] = 15
    collapse_after: CollapseAfter = 5
    comments_url_template: str | None = None
    sort_by: Literal["top", "new", "best"] = "top"
    extra_sort_by: Literal["engagement"] | None = None


@register
class HackerNewsWidget(Widget):
    type = "hacker-news"
    options_model = HackerNewsOptions
    default_title = "Hacker News"
    default_interval = 30 * 60.0

    @property
    def hn_options(self) -> HackerNewsOptions:
        return self.options  # type: ignore[return-value]

    @property
    def default_title_url(self) -> str:
        return "https://news.ycombinator.com/"

    @property
    def refresh_timeout(self) -> float:
        # The story list, then up to MAX_ROUNDS rounds of concurrent item requests.
        return self.hn_options.timeout * (1 + MAX_ROUNDS) + 5.0

    def api_url(self, path: str) -> str:
        return rebase_url(API_URL + path, self.hn_options.api_base_url)

    async def refresh(self, context: RefreshContext) -> tuple[ForumPost, ...]:
        options = self.hn_options
        story_ids = await self._story_ids(context)

        posts = await self._first_stories(context, story_ids, options.limit)
        if not posts and story_ids:
            raise WidgetError(f"{SERVICE} sent no readable stories", f"none of {len(story_ids)} items could be read")
        if options.extra_sort_by == "engagement":
            return by_engagement(posts, context.clock.now())
        return tuple(posts)

    async def _story_ids(self, context: RefreshContext) -> list[int]:
        url = self.api_url(f"/v0/{self.hn_options.sort_by}stories.json")
        response = await self._get(context, url)
        ids = response.json(SERVICE)
        if not isinstance(ids, list):
            raise FetchError(f"{SERVICE} sent an unexpected story list", f"{url}: expected a JSON array, got {type(ids).__name__}")
        return [story_id for story_id in ids if isinstance(story_id, int) and not isinstance(story_id, bool)]

    async def _first_stories(self, context: RefreshContext, story_ids: list[int], limit: int) -> list[ForumPost]:
        """Fetch items in rounds, in order, until `limit` readable stories are found or the list ends.

        A missing, deleted, dead or slow item is skipped, and the next ids
        take its place.
        """

        posts: list[ForumPost] = []
        start = 0
        for _ in range(MAX_ROUNDS):
            if len(posts) >= limit or start >= len(story_ids):
                break
            wanted = limit - len(posts)
            batch = story_ids[start : start + wanted + SPARE_ITEMS]
            start += len(batch)
            found = await asyncio.gather(*(self._story(context, story_id) for story_id in batch))
            posts.extend(post for post in found if post is not None)
        return posts[:limit]

    async def _story(self, context: RefreshContext, story_id: int) -> ForumPost | None:
        url = self.api_url(f"/v0/item/{story_id}.json")
        try:
            item = (await self._get(context, url)).json(SERVICE)
        except FetchError as error:
            logger.debug("hacker-news item %s skipped: %s", story_id, error.detail)
            return None
        return self._post(item)

    def _post(self, item: Any) -> ForumPost | None:
        if not isinstance(item, dict) or item.get("deleted") or item.get("dead") or not item.get("title"):
            return None

        post_id = str(item.get("id", ""))
        template = self.hn_options.comments_url_template or DISCUSSION_URL
        target = safe_link(item.get("url"))
        return ForumPost(
            id=post_id,
            title=plain_text(str(item["title"]), is_html=False),
            discussion_url=safe_link(fill_template(template, {"POST-ID": post_id})),
            target_url=target,
            target_domain=host_of(target),
            comments=as_count(item.get("descendants")),
            score=as_count(item.get("score")),
            posted_at=float(item["time"]) if isinstance(item.get("time"), (int, float)) else None,
        )

    async def _get(self, context: RefreshContext, url: str) -> Any:
        options = self.hn_options
        response = await fetch(
            context.http, url, headers={"Accept": JSON_ACCEPT}, timeout=options.timeout, max_bytes=options.max_response_size
        )
        raise_for_status(response, SERVICE, context.clock.now())
        return response

    def template_context(self) -> dict[str, Any]:
        return {"posts": self.state.data or ()}

    def public_data(self) -> Any:
        return [dataclasses.asdict(post) for post in self.state.data or ()]

