"""`reddit`: posts of a subreddit from reddit's JSON listings, optionally as an app (OAuth client credentials).

reddit refuses many anonymous requests (403 from cloud addresses, 429 when
busy). Those become one-line errors, a 429 waits out its Retry-After, and
the last good posts stay on screen marked stale. reddit's HTML block pages
only reach the log, as a short plain-text excerpt.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import httpx
from pydantic import Field, field_validator

from luna import __version__
from luna.config.fields import Duration, WebURL
from luna.config.models import ConfigModel
from luna.feeds.fetch import JSON_ACCEPT, FetchError, Response, fetch, raise_for_status, rebase_url
from luna.feeds.options import ApiWidgetOptions, CollapseAfter, at_most
from luna.feeds.posts import ForumPost, as_count, by_engagement, fill_template
from luna.feeds.text import host_of, plain_text, safe_link
from luna.widgets.base import Widget
from luna.widgets.refresh import RefreshContext
from luna.widgets.registry import register

logger = logging.getLogger(__name__)

SERVICE = "reddit"
WEB_URL = "https://www.reddit.com"
OAUTH_URL = "https://oauth.reddit.com"
TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
REQUEST_URL = "{REQUEST-URL}"
SUBREDDIT = re.compile(r"^[A-Za-z0-9_+]{2,}$")
# A token is renewed this many seconds before the expiry reddit gave for it.
TOKEN_MARGIN = 60.0
# Thumbnail values reddit uses for "no picture".
NO_THUMBNAIL = frozenset({"", "self", "default", "nsfw", "spoiler", "image", "image_nsfw"})
# Thumbnail values that mark a post whose picture should not be shown at all.
# Glance (glanceapp/glance, internal/glance/widget-reddit.go at db475e8e)
# drops the "", "self", "default" and "nsfw" thumbnails and uses no preview.
HIDDEN_PICTURE = frozenset({"nsfw", "spoiler", "image_nsfw"})
# Picture widths, in pixels, each style wants: twice the shown width in CSS
# pixels (1rem is 10px), for high-density screens. A list thumbnail is
# 6.4rem wide and a horizontal card 24rem. A vertical card fills its column,
# which 640 pixels cover up to 32rem.
PICTURE_WIDTHS = {"vertical-list": 128, "horizontal-cards": 480, "vertical-cards": 640}


class ProxyOptions(ConfigModel):
    url: WebURL
    allow_insecure: bool = False
    timeout: Duration | None = Field(default=None, gt=0)


# Posts in a listing when no `limit` is sent, and the most one request returns.
LISTING_DEFAULT_SIZE = 25
LISTING_MAX_SIZE = 100
# A subreddit pins at most two announcements, and the widget skips them.
SKIPPED_ALLOWANCE = 2


class AppAuth(ConfigModel):
    """A reddit "script" or "web" app's credentials; all three keys are needed."""

    name: str = Field(min_length=1)
    id: str = Field(min_length=1)
    secret: str = Field(min_length=1)


class RedditOptions(ApiWidgetOptions):
    subreddit: str
    style: Literal["", "vertical-list", "horizontal-cards", "vertical-cards"] = "vertical-list"
    show_thumbnails: bool = False
    show_flairs: bool = False
    # reddit returns at most 100 posts per request (PRAW's ListingGenerator docs).
    limit: Annotated[int, Field(ge=1), at_most(100)] = 15
    collapse_after: CollapseAfter = 5
    comments_url_template: str | None = None
    request_url_template: str | None = None
    proxy: ProxyOptions | None = None
    sort_by: Literal["hot", "new", "top", "rising"] = "hot"
    top_period: Literal["hour", "day", "week", "month", "year", "all"] = "day"
    search: str | None = None
    extra_sort_by: Literal["engagement"] | None = None
    app_auth: AppAuth | None = None

    @field_validator("subreddit", mode="before")
    @classmethod
    def _plain_subreddit(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        name = value.strip().removeprefix("/").removeprefix("r/")
        if not SUBREDDIT.match(name):
            raise ValueError(f'invalid subreddit "{value}": write its name, such as selfhosted, without /r/')
        return name

    @field_validator("request_url_template")
    @classmethod
    def _has_placeholder(cls, value: str | None) -> str | None:
        if value is not None and REQUEST_URL not in value:
            raise ValueError(f'request-url-template "{value}" must contain {REQUEST_URL} where reddit\'s URL goes')
        return value

    @field_validator("proxy", mode="before")
    @classmethod
    def _proxy_from_text(cls, value: Any) -> Any:
        return {"url": value} if isinstance(value, str) else value


@dataclasses.dataclass(frozen=True)
class _Token:
    value: str
    expires_at: float


@register
class RedditWidget(Widget):
    type = "reddit"
    options_model = RedditOptions
    default_interval = 30 * 60.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The app-auth token, kept between refreshes until shortly before it expires.
        self._token: _Token | None = None

    @property
    def reddit_options(self) -> RedditOptions:
        return self.options  # type: ignore[return-value]

    def adopt_state(self, previous: Widget) -> None:
        """Take over the state and, for the same app at the same address, the app-auth token."""

        super().adopt_state(previous)
        # reddit issues the token to the app, so it stays valid for the same credentials.
        if isinstance(previous, RedditWidget) and previous._token_owner() == self._token_owner():
            self._token = previous._token

    def _token_owner(self) -> tuple[AppAuth | None, str | None]:
        return self.reddit_options.app_auth, self.reddit_options.api_base_url

    @property
    def title(self) -> str:
        return self.options.title if self.options.title is not None else f"/r/{self.reddit_options.subreddit}"

    @property
    def default_title_url(self) -> str:
        return f"https://www.reddit.com/r/{self.reddit_options.subreddit}/"

    @property
    def style(self) -> str:
        return self.reddit_options.style or "vertical-list"

    @property
    def refresh_timeout(self) -> float:
        # A token request, the listing, and one more of each after a rejected token.
        options = self.reddit_options
        timeout = (options.proxy.timeout if options.proxy else None) or options.timeout
        return timeout * 4 + 5.0

    def listing_url(self) -> str:
        """Build the URL of the listing or search, before `request-url-template` wraps it."""

        options = self.reddit_options
        host = OAUTH_URL if options.app_auth else WEB_URL
        suffix = "" if options.app_auth else ".json"

        query: dict[str, str] = {}
        if options.search:
            path = f"/search{suffix}"
            query["q"] = f"{options.search} subreddit:{options.subreddit}"
            query["sort"] = options.sort_by
        else:
            path = f"/r/{options.subreddit}/{options.sort_by}{suffix}"
        if options.sort_by == "top":
            query["t"] = options.top_period
        # reddit returns 25 posts when the request names no limit, and the widget skips
        # stickied and pinned ones, so a higher limit requests a few extra. Glance sends
        # no limit, so limits that 25 posts cover keep Glance's exact URL.
        requested = options.limit + SKIPPED_ALLOWANCE
        if requested > LISTING_DEFAULT_SIZE:
            query["limit"] = str(min(requested, LISTING_MAX_SIZE))

        url = host + path + (f"?{urlencode(query)}" if query else "")
        return rebase_url(url, options.api_base_url)

    def request_url(self) -> str:
        template = self.reddit_options.request_url_template
        url = self.listing_url()
        return template.replace(REQUEST_URL, url) if template else url

    async def refresh(self, context: RefreshContext) -> tuple[ForumPost, ...]:
        options = self.reddit_options
        listing = await self._listing(context)

        posts = [post for post in (self._post(child) for child in _children(listing)) if post is not None]
        posts = posts[: options.limit]
        if options.extra_sort_by == "engagement":
            return by_engagement(posts, context.clock.now())
        return tuple(posts)

    async def _listing(self, context: RefreshContext) -> Any:
        app = self.reddit_options.app_auth
        headers = {"Accept": JSON_ACCEPT}
        if app is not None:
            headers.update(await self._auth_headers(context, app))

        url = self.request_url()
        response = await self._send(context, url, headers=headers)
        if response.status == 401 and app is not None:
            # The token expired early or was revoked: get a new one, once.
            self._token = None
            headers.update(await self._auth_headers(context, app))
            response = await self._send(context, url, headers=headers)

        raise_for_status(response, SERVICE, context.clock.now())
        return response.json(SERVICE)

    async def _auth_headers(self, context: RefreshContext, app: AppAuth) -> dict[str, str]:
        now = context.clock.now()
        if self._token is None or self._token.expires_at <= now:
            self._token = await self._new_token(context, app, now)
        return {"Authorization": f"bearer {self._token.value}", "User-Agent": f"luna:{app.name}:{__version__}"}

    async def _new_token(self, context: RefreshContext, app: AppAuth, now: float) -> _Token:
        url = rebase_url(TOKEN_URL, self.reddit_options.api_base_url)
        response = await self._send(
            context,
            url,
            method="POST",
            data={"grant_type": "client_credentials"},
            auth=(app.id, app.secret),
            headers={"Accept": JSON_ACCEPT, "User-Agent": f"luna:{app.name}:{__version__}"},
        )
        if response.status in (400, 401, 403):
            raise FetchError(
                f"reddit rejected the app-auth credentials ({response.status}); check app-auth id and secret",
                f"{url} answered HTTP {response.status}",
                status=response.status,
            )
        raise_for_status(response, SERVICE, now)

        answer = response.json(SERVICE)
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise FetchError("reddit sent no access token", f"{url}: the reply has no access_token")
        lifetime = answer.get("expires_in")
        lifetime = float(lifetime) if isinstance(lifetime, (int, float)) else 3600.0
        logger.debug("reddit %s: new app token valid for %gs", self.reddit_options.subreddit, lifetime)
        return _Token(token, now + max(lifetime - TOKEN_MARGIN, 0.0))

    async def _send(self, context: RefreshContext, url: str, **request: Any) -> Response:
        options = self.reddit_options
        timeout = options.timeout
        http: httpx.AsyncClient = context.http
        if options.proxy is not None:
            http = context.proxied_http(options.proxy.url, verify=not options.proxy.allow_insecure)
            timeout = options.proxy.timeout or timeout
        return await fetch(http, url, timeout=timeout, max_bytes=options.max_response_size, **request)

    def _post(self, child: Any) -> ForumPost | None:
        post = child.get("data") if isinstance(child, dict) else None
        if not isinstance(post, dict) or post.get("stickied") or post.get("pinned") or not post.get("title"):
            return None

        options = self.reddit_options
        post_id = str(post.get("id", ""))
        permalink = str(post.get("permalink", ""))
        target = None if post.get("is_self") else safe_link(_unescape(post.get("url")), WEB_URL)
        domain = str(post.get("domain") or host_of(target))
        crosspost = _first_crosspost(post)
        if crosspost is not None:
            target = self._comments_url(str(crosspost.get("subreddit", "")), str(crosspost.get("id", "")), str(crosspost.get("permalink", "")))
            domain = f"r/{crosspost.get('subreddit', '')}"

        flair = plain_text(_unescape(post.get("link_flair_text")), is_html=False)
        return ForumPost(
            id=post_id,
            title=plain_text(_unescape(post["title"]), is_html=False),
            discussion_url=self._comments_url(options.subreddit, post_id, permalink),
            target_url=target,
            target_domain=domain if target else "",
            comments=as_count(post.get("num_comments")),
            score=as_count(post.get("score", post.get("ups"))),
            posted_at=_time(post.get("created_utc", post.get("created"))),
            tags=(flair,) if options.show_flairs and flair else (),
            thumbnail=_picture(post, PICTURE_WIDTHS[self.style]),
            is_crosspost=crosspost is not None,
        )

    def _comments_url(self, subreddit: str, post_id: str, permalink: str) -> str | None:
        template = self.reddit_options.comments_url_template
        if not template:
            return safe_link(permalink, WEB_URL)
        values = {"SUBREDDIT": subreddit, "POST-ID": post_id, "POST-PATH": permalink.lstrip("/")}
        return safe_link(fill_template(template, values))

    def template_context(self) -> dict[str, Any]:
        return {"posts": self.state.data or (), "style": self.style}

    def public_data(self) -> Any:
        return [dataclasses.asdict(post) for post in self.state.data or ()]


def _children(listing: Any) -> list[Any]:
    data = listing.get("data") if isinstance(listing, dict) else None
    children = data.get("children") if isinstance(data, dict) else None
    if not isinstance(children, list):
        raise FetchError("reddit sent an unexpected listing", "the reply has no data.children array")
    return children


def _first_crosspost(post: dict[str, Any]) -> dict[str, Any] | None:
    parents = post.get("crosspost_parent_list")
    if isinstance(parents, list) and parents and isinstance(parents[0], dict):
        return parents[0]
    return None


@dataclasses.dataclass(frozen=True)
class _Picture:
    url: str
    # In pixels; 0 when reddit gave none.
    width: int


def _picture(post: dict[str, Any], target_width: int) -> str | None:
    """Return the post's picture at the smallest size at least `target_width` wide, else its largest.

    Sizes come from the preview's resolutions and source and the small
    thumbnail. NSFW and spoiler posts get no picture at all.
    """

    if post.get("over_18") is True or post.get("spoiler") is True or post.get("thumbnail") in HIDDEN_PICTURE:
        return None

    pictures = _preview_pictures(post) + _thumbnail_pictures(post)
    if not pictures:
        return None
    wide_enough = [picture for picture in pictures if picture.width >= target_width]
    if wide_enough:
        return min(wide_enough, key=lambda picture: picture.width).url
    return max(pictures, key=lambda picture: picture.width).url


def _preview_pictures(post: dict[str, Any]) -> list[_Picture]:
    preview = post.get("preview")
    images = preview.get("images") if isinstance(preview, dict) else None
    if not isinstance(images, list) or not images or not isinstance(images[0], dict):
        return []

    resolutions = images[0].get("resolutions")
    sizes = [*(resolutions if isinstance(resolutions, list) else ()), images[0].get("source")]
    pictures = (_read_picture(size.get("url"), size.get("width")) for size in sizes if isinstance(size, dict))
    return [picture for picture in pictures if picture is not None]


def _thumbnail_pictures(post: dict[str, Any]) -> list[_Picture]:
    thumbnail = post.get("thumbnail")
    if not isinstance(thumbnail, str) or thumbnail in NO_THUMBNAIL:
        return []
    picture = _read_picture(thumbnail, post.get("thumbnail_width"))
    return [picture] if picture is not None else []


def _read_picture(url: Any, width: Any) -> _Picture | None:
    """Read one size of a picture; reddit escapes `&` in these URLs as `&amp;`."""

    link = safe_link(_unescape(url))
    if link is None:
        return None
    return _Picture(link, as_count(width))


def _unescape(value: Any) -> str:
    """Decode the HTML entities reddit puts into titles and URLs, once."""

    return html.unescape(value) if isinstance(value, str) else ""



def _time(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None
