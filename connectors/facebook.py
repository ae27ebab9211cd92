"""Facebook Pages through the Graph API (facebook-sdk).

One call to `/{page}/feed` returns a page of posts *with* their first comments and the replies to
those comments (nested `comments{...,comments{...}}` fields with `summary`), so a poll costs one
call per page of posts. Only a post whose comments overflow the nested page costs more: its comment
cursor is followed with `/{post}/comments`, and a comment with more than 25 replies has its replies'
`after` cursor followed with `/{comment}/comments`. Photo tags are not reachable through nested fields on
the feed, so the photos of one feed page are asked for their tags in a single `?ids=` call.

Incremental by time: the cursor is the newest `created_time` seen (unix seconds). The feed is read
with `since` = cursor minus `lookback_days` (option, default 7) so new comments on recent posts are
found, and only posts, comments and replies created after the cursor are returned.

Deletions: for each re-read post whose comments and replies were all listed (no page left
unread), `FetchResult.complete` names the ids it has now; the monitor marks a stored comment of
that post that is not among them as deleted on the platform. A post whose comment list was cut
short (a cursor stop, an overflowing reply page) is left out, so paging is never taken for absence.

Account: `handle` is the page id; `credentials["access_token"]` a page access token;
`options["base_url"]` replaces `https://graph.facebook.com` (a mirror, a local test server).
facebook-sdk joins a module-wide `FACEBOOK_GRAPH_URL` to every path, so the host is not changed
there (that would move every account): the connector's own `LimitedSession` rewrites the origin of
its requests, and streams each body under the account's deadline and size cap
(`fetch_deadline_seconds`, `max_response_bytes`; connectors/limits.py).

Moderator actions (need a page token with `pages_manage_engagement`):
- `hide(account, comment_id)`: POST `/{comment_id}?is_hidden=true`
- `delete(account, comment_id)`: DELETE `/{comment_id}`
"""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import parse_qs, urlparse

import facebook
import requests

from connectors.base import AccountRef, ConnectorError, CredentialsError, FetchResult, Profile, ResponseError
from connectors.items import Author, Item, Media, parse_time
from connectors.limits import LimitedSession, base_url_option, rate_limit_wait
from connectors.ratelimit import GRAPH_RATE_LIMIT_CODES, Throttle
from connectors.shapes import reads_platform_shapes

GRAPH_VERSION = "v19.0"
ORIGIN = facebook.FACEBOOK_GRAPH_URL.rstrip("/")
NESTED_LIMIT = 25
MAX_REPLY_PAGES = 10  # replies of one comment beyond the nested 25: 1000 more at most per poll
REPLY_FIELDS = "id,message,from,created_time,permalink_url"
COMMENT_FIELDS = f"id,message,from,created_time,permalink_url,comments.limit({NESTED_LIMIT}){{{REPLY_FIELDS}}}"
# newest comments first, so following a long comment list can stop at the cursor
ORDER = "reverse_chronological"
ATTACHMENT_FIELDS = "attachments{media_type,type,url,description,media,target,subattachments}"
POST_FIELDS = (
    f"id,message,from,created_time,permalink_url,{ATTACHMENT_FIELDS},"
    f"comments.order({ORDER}).limit({NESTED_LIMIT}).summary(true){{{COMMENT_FIELDS}}}"
)
DAY = 86400


class FacebookConnector:
    platform = "facebook"

    def __init__(self, throttle: Throttle | None = None, session: requests.Session | None = None) -> None:
        self.throttle = throttle or Throttle()
        if isinstance(session, LimitedSession) or session is None:
            self.session = session or LimitedSession()
        else:
            # a plain session (a test's or benchmark's transport adapters): its transports, our limits
            self.session = LimitedSession()
            self.session.adapters = session.adapters
        self.last_headers: dict[str, str] = {}
        self.last_status = 0
        self.session.hooks["response"].append(self._remember_headers)
        self.calls = 0

    def _remember_headers(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_headers = dict(response.headers)
        self.last_status = response.status_code

    def _graph(self, account: AccountRef) -> facebook.GraphAPI:
        token = account.credentials.get("access_token")
        if not token:
            raise CredentialsError(f"account {account.name}: no Facebook access token configured")
        self.session.use(self.throttle.budget_for(account, self.platform), ORIGIN, base_url_option(account, ORIGIN))
        graph = facebook.GraphAPI(access_token=token, session=self.session)
        graph.version = GRAPH_VERSION  # facebook-sdk 3.1 only knows versions up to 3.1
        return graph

    def _request(self, account: AccountRef, fn: Callable[[], Any]) -> Any:
        def once() -> Any:
            self.calls += 1
            try:
                return fn()
            finally:
                self.throttle.observe("facebook", self.last_headers)

        def limited(exc: BaseException) -> float | None:
            if not isinstance(exc, facebook.GraphAPIError):
                return None
            wait = rate_limit_wait(self.last_status, self.last_headers, self.throttle.now)
            if wait is not None:
                return wait
            return 0.0 if exc.code in GRAPH_RATE_LIMIT_CODES else None

        self.last_status, self.last_headers = 0, {}
        try:
            return self.throttle.call("facebook", once, limited)
        except facebook.GraphAPIError as exc:
            raise graph_error(account, exc, self.last_status) from None
        except requests.exceptions.JSONDecodeError:
            raise ResponseError(f"account {account.name}: Graph API sent a body that is not whole JSON (cut off or malformed)") from None
        except requests.RequestException as exc:
            self.throttle.budget_for(account, self.platform).check()
            # network trouble is this account's failure for this run, not the whole run's
            raise ResponseError(f"account {account.name}: Graph API unreachable ({type(exc).__name__})") from None

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        graph = self._graph(account)
        after = int(cursor) if cursor else 0
        lookback = int(account.options.get("lookback_days", 7)) * DAY
        args: dict[str, Any] = {"fields": POST_FIELDS, "limit": int(account.options.get("page_size", 25))}
        if after:
            args["since"] = max(0, after - lookback)
        items: list[Item] = []
        complete: list[tuple[str, list[str]]] = []
        newest = after
        while True:
            page = self._request(account, lambda a=dict(args): graph.get_connections(account.handle, "feed", **a))
            posts = page.get("data", [])
            tags = self._photo_tags(account, graph, posts)
            for post in posts:
                for item in self._post_items(account, graph, post, tags, after, complete):
                    ts = _timestamp(item)
                    if ts > after:
                        items.append(item)
                        newest = max(newest, ts)
            nxt = (page.get("paging") or {}).get("next")
            if not posts or not nxt:
                break
            args = _next_args(nxt, args)
        return FetchResult(items=items, cursor=str(newest) if newest else cursor, calls=self.calls, events=list(self.throttle.events),
                           complete=complete)

    def _photo_tags(self, account: AccountRef, graph: facebook.GraphAPI, posts: list[dict]) -> dict[str, list[str]]:
        ids = [pid for post in posts for pid in photo_ids(post)]
        if not ids:
            return {}
        found = self._request(account, lambda: graph.get_objects(ids, fields="tags{name}"))
        return {pid: [t.get("name", "") for t in (obj.get("tags") or {}).get("data", [])] for pid, obj in found.items()}

    def _post_items(self, account: AccountRef, graph: facebook.GraphAPI, post: dict, tags: dict[str, list[str]], after_ts: int = 0,
                    complete: list[tuple[str, list[str]]] | None = None) -> list[Item]:
        items = [post_item(account, post, tags)]
        comments = post.get("comments") or {}
        data = list(comments.get("data", []))
        after = ((comments.get("paging") or {}).get("cursors") or {}).get("after")
        # only posts with more comments than the nested page cost another call
        while (comments.get("paging") or {}).get("next") and after and not _reached(data, after_ts):
            comments = self._request(
                account,
                lambda a=after: graph.get_connections(post["id"], "comments", fields=COMMENT_FIELDS, order=ORDER, limit=100, after=a),
            )
            data.extend(comments.get("data", []))
            after = ((comments.get("paging") or {}).get("cursors") or {}).get("after")
        for comment in data:
            self._more_replies(account, graph, comment)
            items.extend(comment_items(account, comment, post["id"]))
        if complete is not None and _listed_to_the_end(comments, data):
            complete.append((str(post["id"]), [i.platform_id for i in items[1:]]))
        return items

    def _more_replies(self, account: AccountRef, graph: facebook.GraphAPI, comment: dict) -> None:
        """A comment with more replies than the nested 25: follow its replies' `after` cursor
        (`/{comment}/comments`) and add them to the comment, so none beyond the 25th is missed.
        Only such comments cost calls; at most MAX_REPLY_PAGES pages of 100 each."""
        replies = comment.get("comments")
        if not isinstance(replies, dict):
            return
        data = replies.setdefault("data", [])
        page = replies
        for _ in range(MAX_REPLY_PAGES):
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not (paging.get("next") and after):
                return
            page = self._request(account, lambda a=after: graph.get_connections(str(comment["id"]), "comments", fields=REPLY_FIELDS, limit=100, after=a))
            data.extend(page.get("data", []))

    def profile(self, account: AccountRef) -> Profile:
        self.throttle.begin(account, self.platform)  # a fresh deadline and budget, not an old fetch's
        """GET /{page}?fields=name,about,description,website. Pages cannot list whom they follow
        through the Graph API, so Facebook has no `follows`."""
        graph = self._graph(account)
        page = self._request(account, lambda: graph.get_object(account.handle, fields="name,about,description,website"))
        about = " ".join(t for t in (page.get("about"), page.get("description")) if t) or None
        website = (page.get("website") or "").split()[0] if page.get("website") else None  # Pages allow several, space-separated
        return Profile(page.get("name"), about, website)

    def hide(self, account: AccountRef, platform_id: str) -> None:
        self.throttle.begin(account, self.platform)
        graph = self._graph(account)
        result = self._request(account, lambda: graph.request(f"{GRAPH_VERSION}/{platform_id}", post_args={"is_hidden": "true"}))
        if not (isinstance(result, dict) and result.get("success")):
            raise ConnectorError(f"account {account.name}: Facebook did not hide comment {platform_id}")

    def delete(self, account: AccountRef, platform_id: str) -> None:
        self.throttle.begin(account, self.platform)
        graph = self._graph(account)
        result = self._request(account, lambda: graph.request(f"{GRAPH_VERSION}/{platform_id}", method="DELETE"))
        if not (isinstance(result, dict) and result.get("success")):
            raise ConnectorError(f"account {account.name}: Facebook did not delete comment {platform_id}")


def graph_error(account: AccountRef, exc: facebook.GraphAPIError, status: int = 0) -> ConnectorError:
    """Map a Graph error to the connector hierarchy; never echo the token."""
    if exc.code == 190 or exc.type == "OAuthException" and exc.code in (102, 463, 467):
        return CredentialsError(f"account {account.name}: Facebook access token expired or invalid (code {exc.code}); renew it")
    if exc.code is None and status == 503:
        return ResponseError(f"account {account.name}: Graph API unavailable (HTTP 503 without Retry-After); the next run tries again")
    if exc.code is None and status >= 400:
        # not a Graph error body at all (an HTML error page, say): the status is all there is to say
        return ResponseError(f"account {account.name}: Graph API answered HTTP {status} without a Graph error")
    if exc.code is None and status:
        return ResponseError(f"account {account.name}: Graph API sent an answer that is not JSON")
    return ResponseError(f"account {account.name}: Graph API error code {exc.code} ({exc.type})")


def _next_args(next_url: str, args: dict[str, Any]) -> dict[str, Any]:
    """The query of a `paging.next` URL as arguments, minus the token facebook-sdk adds itself."""
    query = {k: v[0] for k, v in parse_qs(urlparse(next_url).query, keep_blank_values=True).items()}
    query.pop("access_token", None)
    query.setdefault("fields", args.get("fields"))
    return query


def _listed_to_the_end(last_page: dict, comments: list[dict]) -> bool:
    """True when the post's comments, and each comment's replies, were read with no page left over:
    only then is a stored comment that is not among them known to be gone (not merely unread)."""
    if (last_page.get("paging") or {}).get("next"):
        return False
    return not any(((c.get("comments") or {}).get("paging") or {}).get("next") for c in comments)


def _reached(comments: list[dict], after_ts: int) -> bool:
    """True when the (newest-first) comments read so far already go back past the cursor."""
    if not after_ts or not comments:
        return False
    oldest = parse_time(comments[-1].get("created_time"))
    return oldest is not None and oldest.timestamp() <= after_ts


def _timestamp(item: Item) -> int:
    return int(item.created_at.timestamp()) if item.created_at else 0


def _author(account: AccountRef, data: dict | None) -> Author:
    data = data or {}
    pid = data.get("id")
    return Author(name=str(data.get("name", "")), platform_id=pid, is_account=pid is not None and pid == account.handle)


def photo_ids(post: dict) -> list[str]:
    ids = []
    for att in (post.get("attachments") or {}).get("data", []):
        for part in [att, *(att.get("subattachments") or {}).get("data", [])]:
            target = part.get("target") or {}
            if part.get("type") == "photo" and target.get("id"):
                ids.append(str(target["id"]))
    return ids


def attachment_media(post: dict, tags: dict[str, list[str]]) -> list[Media]:
    media: list[Media] = []
    for att in (post.get("attachments") or {}).get("data", []):
        parts = (att.get("subattachments") or {}).get("data") or [att]
        for part in parts:
            kind = part.get("media_type") or part.get("type") or ""
            if kind not in ("photo", "video", "video_inline", "video_autoplay"):
                continue
            image = (part.get("media") or {}).get("image") or {}
            target = str((part.get("target") or {}).get("id", ""))
            media.append(Media(
                type="photo" if kind == "photo" else "video",
                url=image.get("src") or part.get("url"),
                alt_text=part.get("description"),
                tagged=tuple(tags.get(target, ())),
            ))
    return media


def post_item(account: AccountRef, post: dict, tags: dict[str, list[str]] | None = None) -> Item:
    """A feed post in the Graph shape (`id`, `message`, `from`, `created_time`, ...) as an Item."""
    if "id" not in post:
        raise ResponseError(f"account {account.name}: Graph post without an id")
    return Item(
        platform="facebook", platform_id=str(post["id"]), account=account.name, kind="post",
        text=post.get("message") or post.get("story") or "",
        author=_author(account, post.get("from")) if post.get("from") else Author(name=account.name, platform_id=account.handle, is_account=True),
        created_at=parse_time(post.get("created_time")), permalink=post.get("permalink_url"),
        media=attachment_media(post, tags or {}), raw=post,
    )


def comment_items(account: AccountRef, comment: dict, post_id: str) -> list[Item]:
    """A comment and its nested replies (`comments{...}`) as Items."""
    def one(data: dict, kind: str, parent: str) -> Item:
        raw = {k: v for k, v in data.items() if k != "comments"}
        return Item(
            platform="facebook", platform_id=str(data["id"]), account=account.name, kind=kind,  # type: ignore[arg-type]
            text=data.get("message") or "", author=_author(account, data.get("from")),
            created_at=parse_time(data.get("created_time")), parent_id=parent,
            permalink=data.get("permalink_url"), raw=raw,
        )

    items = [one(comment, "comment", post_id)]
    for reply in (comment.get("comments") or {}).get("data", []):
        items.append(one(reply, "reply", str(comment["id"])))
    return items
