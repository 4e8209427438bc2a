"""Engagement order of link-aggregator posts."""

from __future__ import annotations

from luna.feeds.posts import ForumPost, by_engagement, fill_template

NOW = 1_700_000_000.0


def post(name: str, comments: int, score: int, hours_old: float | None = 1) -> ForumPost:
    posted = None if hours_old is None else NOW - hours_old * 3600
    return ForumPost(name, name, None, None, "", comments, score, posted)


def names(posts: tuple[ForumPost, ...]) -> list[str]:
    return [item.id for item in posts]


def test_more_discussed_ranks_higher() -> None:
    ranked = by_engagement([post("quiet", 1, 5), post("busy", 50, 200), post("middle", 10, 40)], NOW)

    assert names(ranked) == ["busy", "middle", "quiet"]


def test_old_posts_lose_weight() -> None:
    ranked = by_engagement([post("old", 100, 100, hours_old=31), post("fresh", 40, 40, hours_old=1)], NOW)

    assert names(ranked) == ["fresh", "old"]


def test_ageing_never_turns_negative() -> None:
    ranked = by_engagement([post("ancient", 10, 10, hours_old=24 * 30), post("fresh", 10, 10)], NOW)

    assert all(item.engagement > 0 for item in ranked)


def test_all_zero_posts_keep_order() -> None:
    ranked = by_engagement([post("a", 0, 0), post("b", 0, 0), post("c", 0, 0, hours_old=None)], NOW)

    assert names(ranked) == ["a", "b", "c"]


def test_empty_list_stays_empty() -> None:
    assert by_engagement([], NOW) == ()


def test_template_placeholders_filled() -> None:
    assert fill_template("https://x.example/{SUBREDDIT}/{POST-ID}", {"SUBREDDIT": "linux", "POST-ID": "abc"}) == "https://x.example/linux/abc"
