"""`twitch-top-games`: the categories with the most viewers on Twitch right now."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field

from luna.feeds.fetch import FetchError
from luna.feeds.options import ApiWidgetOptions, CollapseAfter, at_most
from luna.feeds.text import plain_text, safe_link
from luna.feeds.twitch import SERVICE, TOP_GAMES_QUERY, operation, run_operations
from luna.widgets.base import Widget
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

OPERATION = "BrowsePage_AllDirectories"
MAX_TAGS = 2


class TwitchTopGamesOptions(ApiWidgetOptions):
    # Category slugs (or names) to leave out, compared without regard to case.
    exclude: list[str] = Field(default_factory=list)
    # Twitch sends at most 100 categories per query.
    limit: Annotated[int, Field(ge=1), at_most(100)] = 10
    collapse_after: CollapseAfter = 5


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    avatar: str | None
    viewers: int
    tags: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"https://www.twitch.tv/directory/category/{self.slug}"


@register
class TwitchTopGamesWidget(Widget):
    type = "twitch-top-games"
    options_model = TwitchTopGamesOptions
    default_title = "Top games on Twitch"
    default_interval = 600.0

    @property
    def games_options(self) -> TwitchTopGamesOptions:
        return self.options  # type: ignore[return-value]

    @property
    def default_title_url(self) -> str:
        return "https://www.twitch.tv/directory?sort=VIEWER_COUNT"

    async def refresh(self, context: RefreshContext) -> tuple[Category, ...]:
        options = self.games_options
        excluded = {_normalise(name) for name in options.exclude}
        # Ask for enough that `limit` remain after the exclusions.
        requested = options.limit + len(excluded)
        variables = {"limit": requested, "options": {"sort": "VIEWER_COUNT", "tags": []}}

        answers = await run_operations(
            context.http,
            [operation(OPERATION, TOP_GAMES_QUERY, variables)],
            api_base_url=options.api_base_url,
            timeout=options.timeout,
            max_bytes=options.max_response_size,
            now=context.clock.now(),
        )
        categories = [category for category in _categories(answers.get(OPERATION)) if not _excluded(category, excluded)]
        return tuple(categories[: options.limit])

    def template_context(self) -> dict[str, Any]:
        return {"categories": self.state.data or ()}

    def public_data(self) -> Any:
        return [dataclasses.asdict(category) for category in self.state.data or ()]


def _categories(data: Any) -> list[Category]:
    try:
        edges = data["directoriesWithTags"]["edges"]
    except (KeyError, TypeError):
        raise FetchError(f"{SERVICE} sent no category list", "the response has no data.directoriesWithTags.edges") from None

    found = []
    for edge in edges if isinstance(edges, list) else ():
        node = edge.get("node") if isinstance(edge, dict) else None
        if not isinstance(node, dict) or not node.get("slug"):
            continue
        tags = [tag.get("tagName") or tag.get("localizedName") for tag in node.get("tags") or () if isinstance(tag, dict)]
        found.append(
            Category(
                slug=str(node["slug"]),
                name=plain_text(str(node.get("displayName") or node.get("name") or node["slug"]), is_html=False),
                avatar=safe_link(str(node.get("avatarURL") or "").replace("285x380", "144x192")),
                viewers=node["viewersCount"] if isinstance(node.get("viewersCount"), int) else 0,
                tags=tuple(plain_text(str(tag), is_html=False) for tag in tags if tag)[:MAX_TAGS],
            )
        )
    return found


def _normalise(name: str) -> str:
    """Compare "Just Chatting", "just-chatting" and "JUST-CHATTING" as one."""

    return "-".join(name.strip().lower().split())


def _excluded(category: Category, excluded: set[str]) -> bool:
    return _normalise(category.slug) in excluded or _normalise(category.name) in excluded
