"""Posts of link aggregators (Hacker News, Lobsters, reddit) and their engagement order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

# Engagement ranks a post by its comments and score against the list's
# averages. Past AGEING_STARTS hours a post loses weight, linearly, until
# AGEING_SPAN hours later it keeps only 1 - MAX_AGEING of it.
AGEING_STARTS = 7.0
AGEING_SPAN = 24.0
MAX_AGEING = 0.9


@dataclass(frozen=True)
class ForumPost:
    id: str
    title: str
    # The comments page; None when the post has none we can link.
    discussion_url: str | None
    # The linked article; None for text posts, which link their discussion instead.
    target_url: str | None
    target_domain: str
    comments: int
    score: int
    # Seconds since the epoch, or None when the API gave no time.
    posted_at: float | None
    tags: tuple[str, ...] = ()
    thumbnail: str | None = None
    is_crosspost: bool = False
    engagement: float = 0.0

    @property
    def link(self) -> str | None:
        """Where the title leads: the article, or the discussion for a text post."""

        return self.target_url or self.discussion_url


def by_engagement(posts: Sequence[ForumPost], now: float) -> tuple[ForumPost, ...]:
    """Return the posts ordered by engagement, highest first; the order of equals is kept."""

    if not posts:
        return ()

    average_comments = sum(post.comments for post in posts) / len(posts)
    average_score = sum(post.score for post in posts) / len(posts)
    scored = [replace(post, engagement=_engagement(post, average_comments, average_score, now)) for post in posts]
    return tuple(sorted(scored, key=lambda post: post.engagement, reverse=True))


def _engagement(post: ForumPost, average_comments: float, average_score: float, now: float) -> float:
    comments = post.comments / average_comments if average_comments else 0.0
    score = post.score / average_score if average_score else 0.0
    engagement = (comments + score) / 2

    if post.posted_at is None:
        return engagement
    hours = (now - post.posted_at) / 3600
    if hours <= AGEING_STARTS:
        return engagement
    ageing = min((hours - AGEING_STARTS) / AGEING_SPAN, 1.0) * MAX_AGEING
    return engagement * (1.0 - ageing)


def as_count(value: Any) -> int:
    """Read a score or comment count from JSON, as 0 when it is missing or not an integer."""

    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def fill_template(template: str, values: dict[str, str]) -> str:
    """Replace each `{NAME}` placeholder of a URL template such as `comments-url-template`."""

    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template
