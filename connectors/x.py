"""X (Twitter) through the API v2 with tweepy.Client.

Three endpoints per poll, each incremental by `since_id` (the cursor keeps one newest id each):
- posts:    GET /2/users/{id}/tweets            (client.get_users_tweets)
- mentions: GET /2/users/{id}/mentions          (client.get_users_mentions)
- replies:  GET /2/tweets/search/recent         (client.search_recent_tweets, `conversation_id:` of
            the account's recent posts, OR-ed into as few queries as the 512-character limit allows)
Authors and media come from `expansions` + `includes`, so no extra call per author or photo.
A poll that finds nothing costs one call per endpoint (no search when there are no posts to watch).

Account: `handle` is the numeric user id; `credentials["bearer_token"]` (app or OAuth 2.0 user
token); `options["base_url"]` replaces `https://api.twitter.com` (a mirror, a local test server).
tweepy 4.16's Client writes that host into every request (there is no setting for it), so the
connector gives the client its own `LimitedSession`, which rewrites the origin and streams each
body under the account's deadline and size cap (`fetch_deadline_seconds`, `max_response_bytes`;
connectors/limits.py). A 429 waits for `Retry-After` or `x-rate-limit-reset`, whichever is later;
a 503 with Retry-After is a rate limit too, a 503 without it an error.

X bills reads per post (since 2026): every post returned is counted (`FetchResult.usage["x_posts_read"]`),
and with `options["x_reads_left"]` (set by the run from the month's budget, monitor/usage) the
connector stops paging once that many posts were read, asking for smaller pages as it nears it.
Stopping early leaves older posts of that poll unread: the budget is a hard stop, not a sample.

Moderator action: `hide(account, tweet_id)` hides a reply (client.hide_reply), which needs a
user-context token (OAuth 2.0 user bearer, or OAuth 1.0a keys in credentials).
"""
from __future__ import annotations

import json
from typing import Any, Callable

import requests
import tweepy

from connectors.base import AccountRef, ConnectorError, CredentialsError, FetchResult, Followed, Profile, ResponseError
from connectors.items import Author, Item, Media, parse_time
from connectors.limits import LimitedSession, base_url_option, rate_limit_wait
from connectors.ratelimit import Throttle, x_reset_wait
from connectors.shapes import reads_platform_shapes

TWEET_FIELDS = ["id", "text", "author_id", "created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "attachments"]
EXPANSIONS = ["author_id", "attachments.media_keys", "referenced_tweets.id"]
MEDIA_FIELDS = ["media_key", "type", "url", "preview_image_url", "alt_text"]
USER_FIELDS = ["id", "name", "username"]
QUERY_LIMIT = 512
MAX_PAGES = 5
WATCH_POSTS = 20  # conversations of the newest N own posts are searched for replies
ORIGIN = "https://api.twitter.com"
PROFILE_FIELDS = ["name", "username", "description", "url", "entities"]
FOLLOWING_PAGES = 5  # 1000 a page: an official account following more than 5000 is audited on the first 5000


class XConnector:
    platform = "x"

    def __init__(self, throttle: Throttle | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.calls = 0
        # posts returned by the reads of the running fetch: X bills each one (monitor.usage counts them)
        self.reads = 0
        self.budget_stopped = False

    def _client(self, account: AccountRef) -> tweepy.Client:
        creds = account.credentials
        if not (creds.get("bearer_token") or creds.get("access_token")):
            raise CredentialsError(f"account {account.name}: no X bearer token configured")
        client = tweepy.Client(
            bearer_token=creds.get("bearer_token"), consumer_key=creds.get("consumer_key"),
            consumer_secret=creds.get("consumer_secret"), access_token=creds.get("access_token"),
            access_token_secret=creds.get("access_token_secret"), return_type=dict,
        )
        client.session = LimitedSession().use(self.throttle.budget_for(account, self.platform), ORIGIN, base_url_option(account, ORIGIN))
        return client

    def _request(self, account: AccountRef, client: tweepy.Client, fn: Callable[[], Any]) -> Any:
        last: dict[str, requests.Response] = {}

        def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            last["response"] = response

        def once() -> Any:
            self.calls += 1
            try:
                return fn()
            finally:
                # a 429 is handled by the backoff below, which already waits for the reset
                if "response" in last and last["response"].status_code != 429:
                    self.throttle.observe("x", last["response"].headers)

        def limited(exc: BaseException) -> float | None:
            if not isinstance(exc, tweepy.HTTPException):
                return None
            status, headers = exc.response.status_code, exc.response.headers
            wait = rate_limit_wait(status, headers, self.throttle.now)
            if wait is None:
                return None
            # X says when its window resets; Retry-After, when sent, may say later
            return max(wait, x_reset_wait(headers, self.throttle.now())) if status == 429 else wait

        client.session.hooks["response"] = [hook]
        try:
            return self.throttle.call("x", once, limited)
        except tweepy.Unauthorized:
            raise CredentialsError(f"account {account.name}: X token rejected (401); renew it") from None
        except tweepy.HTTPException as exc:
            if exc.response.status_code == 503:
                raise ResponseError(f"account {account.name}: X API unavailable (HTTP 503 without Retry-After); the next run tries again") from None
            raise ResponseError(f"account {account.name}: X API error {exc.response.status_code}") from None
        except requests.exceptions.JSONDecodeError:
            raise ResponseError(f"account {account.name}: X API sent a body that is not whole JSON (cut off or malformed)") from None
        except requests.RequestException as exc:
            self.throttle.budget_for(account, self.platform).check()
            raise ResponseError(f"account {account.name}: X API unreachable ({type(exc).__name__})") from None

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.reads, self.budget_stopped = 0, False
        self.throttle.begin(account, self.platform)
        client = self._client(account)
        state: dict[str, str] = json.loads(cursor) if cursor else {}
        common: dict[str, Any] = {
            "tweet_fields": TWEET_FIELDS, "expansions": EXPANSIONS, "media_fields": MEDIA_FIELDS,
            "user_fields": USER_FIELDS, "max_results": 100,
        }
        items: dict[str, Item] = {}
        new_state = dict(state)
        for key, call in (("posts", client.get_users_tweets), ("mentions", client.get_users_mentions)):
            pages = self._pages(account, client, lambda p, c=call: c(account.handle, **p), common, state.get(key), "pagination_token")
            self._collect(account, pages, items, new_state, key, state.get(key))
        own_posts = [i.platform_id for i in items.values() if i.kind == "post" and i.author.is_account]
        watched = sorted(set(own_posts) | set(json.loads(state.get("watch", "[]"))), key=int, reverse=True)[:WATCH_POSTS]
        if watched:
            new_state["watch"] = json.dumps(watched)
            for query in conversation_queries(watched):
                pages = self._pages(account, client, lambda p, q=query: client.search_recent_tweets(q, **p), common, state.get("replies"), "next_token")
                self._collect(account, pages, items, new_state, "replies", state.get("replies"))
        events = list(self.throttle.events)
        if self.budget_stopped:
            events.append(f"x: read budget reached after {self.reads} posts; the rest of this month's posts are not read")
        return FetchResult(items=list(items.values()), cursor=json.dumps(new_state, sort_keys=True), calls=self.calls, events=events, usage={"x_posts_read": self.reads})

    def _pages(self, account: AccountRef, client: tweepy.Client, call: Callable[[dict], dict], common: dict, since_id: str | None, token_param: str) -> list[dict]:
        params = dict(common)
        if since_id:
            params["since_id"] = since_id
        pages = []
        left = account.options.get("x_reads_left")  # posts the month's read budget still allows (monitor.usage)
        while len(pages) < MAX_PAGES:  # bounded: a first poll of a busy account stops here
            if left is not None:
                if self.reads >= int(left):
                    self.budget_stopped = True
                    break
                # X bills every post returned: ask for no more than the budget allows (10 is X's smallest page)
                params["max_results"] = max(10, min(int(common.get("max_results", 100)), int(left) - self.reads))
            page = self._request(account, client, lambda p=dict(params): call(p))
            self.reads += len(page.get("data") or []) + len((page.get("includes") or {}).get("tweets") or [])
            pages.append(page)
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                break
            params[token_param] = token
        return pages

    def _collect(self, account: AccountRef, pages: list[dict], items: dict[str, Item], state: dict[str, str], key: str, since_id: str | None) -> None:
        for page in pages:
            for item in page_items(account, page):
                # since_id is applied by X already; checked again so a replayed answer adds nothing
                if since_id and int(item.platform_id) <= int(since_id):
                    continue
                items.setdefault(item.platform_id, item)
            newest = (page.get("meta") or {}).get("newest_id")
            if newest and int(newest) > int(state.get(key, "0")):
                state[key] = newest

    def profile(self, account: AccountRef) -> Profile:
        """GET /2/users/{id} with description and url; the website is the expanded t.co link."""
        self.throttle.begin(account, self.platform)  # a fresh deadline and budget, not an old fetch's
        client = self._client(account)
        found = self._request(account, client, lambda: client.get_user(id=account.handle, user_fields=PROFILE_FIELDS))
        user = found.get("data") or {}
        if not user:
            raise ResponseError(f"account {account.name}: X returned no user {account.handle}")
        urls = (((user.get("entities") or {}).get("url") or {}).get("urls") or [])
        website = next((u.get("expanded_url") for u in urls if u.get("expanded_url")), None) or user.get("url") or None
        return Profile(user.get("name"), user.get("description"), website)

    def follows(self, account: AccountRef) -> list[Followed]:
        """GET /2/users/{id}/following, 1000 a page, at most FOLLOWING_PAGES pages."""
        self.throttle.begin(account, self.platform)  # a fresh deadline and budget, not an old fetch's
        client = self._client(account)
        followed: list[Followed] = []
        params: dict[str, Any] = {"max_results": 1000, "user_fields": ["name", "username"]}
        for _ in range(FOLLOWING_PAGES):
            page = self._request(account, client, lambda p=dict(params): client.get_users_following(account.handle, **p))
            followed.extend(Followed(str(u.get("name") or ""), str(u.get("username") or "")) for u in page.get("data") or [])
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                break
            params["pagination_token"] = token
        return followed

    def hide(self, account: AccountRef, platform_id: str) -> None:
        self.throttle.begin(account, self.platform)
        client = self._client(account)
        user_auth = bool(account.credentials.get("consumer_key"))
        result = self._request(account, client, lambda: client.hide_reply(platform_id, user_auth=user_auth))
        if not (result.get("data") or {}).get("hidden"):
            raise ConnectorError(f"account {account.name}: X did not hide reply {platform_id}")


def conversation_queries(post_ids: list[str]) -> list[str]:
    """`conversation_id:A OR conversation_id:B ...` queries, each within X's query length."""
    queries: list[str] = []
    current = ""
    for pid in post_ids:
        term = f"conversation_id:{pid}"
        candidate = f"{current} OR {term}" if current else term
        if len(candidate) > QUERY_LIMIT and current:
            queries.append(current)
            candidate = term
        current = candidate
    if current:
        queries.append(current)
    return queries


def page_items(account: AccountRef, page: dict) -> list[Item]:
    """Items of one v2 response (`data`, `includes.users`, `includes.media`)."""
    includes = page.get("includes") or {}
    users = {u["id"]: u for u in includes.get("users", []) if "id" in u}
    media = {m["media_key"]: m for m in includes.get("media", []) if "media_key" in m}
    return [tweet_item(account, tweet, users, media) for tweet in page.get("data") or []]


def tweet_item(account: AccountRef, tweet: dict, users: dict[str, dict], media: dict[str, dict]) -> Item:
    if "id" not in tweet or "text" not in tweet:
        raise ResponseError(f"account {account.name}: X post without id or text")
    author_id = tweet.get("author_id")
    user = users.get(author_id or "", {})
    replied = [r["id"] for r in tweet.get("referenced_tweets", []) if r.get("type") == "replied_to"]
    is_account = author_id == account.handle
    if replied:
        kind = "reply"
    else:
        kind = "post" if is_account or author_id is None else "comment"  # a mention by someone else
    keys = (tweet.get("attachments") or {}).get("media_keys", [])
    username = user.get("username")
    return Item(
        platform="x", platform_id=str(tweet["id"]), account=account.name, kind=kind,  # type: ignore[arg-type]
        text=tweet["text"], author=Author(name=user.get("name") or username or "", platform_id=author_id, is_account=is_account),
        created_at=parse_time(tweet.get("created_at")), parent_id=replied[0] if replied else None,
        permalink=f"https://x.com/{username or 'i'}/status/{tweet['id']}",
        media=[Media(type="photo" if media[k].get("type") == "photo" else "video", url=media[k].get("url") or media[k].get("preview_image_url"), alt_text=media[k].get("alt_text")) for k in keys if k in media],
        raw=tweet,
    )
