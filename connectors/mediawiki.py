"""Class wikis through the MediaWiki Action API (`api.php`, httpx).

- edits: `list=recentchanges` (`rctype=new|edit`, oldest first from the cursor with
  `rcdir=newer`, `continue`/`rccontinue` paging);
- content: `prop=revisions&revids=...&rvprop=ids|content|user|timestamp|comment&rvslots=main` for
  the new revisions and the ones they replaced, 50 revisions a call.

Each edit is one item of kind post: the editor is its author, its text the page title, the text
the edit added (difflib over the wikitext lines of the previous revision; a page creation adds all
of it) and the edit summary; the permalink is `index.php?oldid=REVID`. Pictures the added text
embeds (`[[File:Name.jpg|thumb|caption]]`) become its media, with their `alt=` text or caption,
so the photo checks see what a class put on its wiki. A revision whose text or
editor an administrator hid (`texthidden`, `userhidden`) is kept with what is left. The added
text is capped at 200,000 characters. Deleted pages and revisions simply drop out of
recentchanges: the connector cannot tell a deletion from paging.

Incremental: the cursor holds the timestamp and `rcid` of the last change read; the next poll
starts at that timestamp and skips rcids already seen, so a re-run adds nothing. At most 20 pages
of 100 changes are read per poll; the rest waits for the next one (the cursor is where reading
stopped, never past it).

Account: `options["api_url"]` (else `handle`) is the wiki's `api.php` URL; a public wiki needs no
credentials, a private one takes an OAuth 2 owner-only token as `credentials["access_token"]`.
`options["base_url"]` replaces the API URL's origin (a mirror, a local test server);
`options["account_user"]` names the wiki user (or a list of them: the class's teachers) whose
edits are the account's own (`is_account`); `fetch_deadline_seconds` / `max_response_bytes` bound a fetch. Every request sends
`maxlag=5`; an answer `maxlag` (the servers are lagging) or `ratelimited` is waited for and
retried like a 429, `readapidenied` / `mwoauth-invalid-authorization` / HTTP 401 are
CredentialsError.

Plain httpx rather than mwclient: mwclient logs in and reads through its own requests session,
which would bypass the shared streaming size cap, deadline and base URL of connectors/limits.py,
and the two API calls needed here are short.
"""
from __future__ import annotations

import difflib
import json
import re
from typing import Any, Iterable
from urllib.parse import quote, urlsplit

import httpx

from connectors.base import AccountRef, ConnectorError, CredentialsError, FetchResult, ResponseError
from connectors.http import get_json
from connectors.items import Author, Item, Media, parse_time
from connectors.limits import base_url_option, rebase
from connectors.ratelimit import Throttle
from connectors.shapes import reads_platform_shapes

RC_LIMIT = 100
MAX_PAGES = 20
REVISION_BATCH = 50
MAX_ADDED_CHARS = 200_000
MAXLAG = 5
# MediaWiki sends Retry-After: 5 with a maxlag error; the API body does not carry the header on
MAXLAG_WAIT = 5.0
# [[File:Name.jpg|thumb|caption]] (also Image:, the older name): a picture the edit put on the page
FILE_LINK = re.compile(r"\[\[\s*(?:File|Image)\s*:\s*([^|\]\n]+?)\s*((?:\|[^\]\n]*)?)\]\]", re.IGNORECASE)
IMAGE_OPTIONS = re.compile(r"^(thumb|thumbnail|frame|frameless|border|left|right|center|centre|none|upright.*|baseline|middle|sub|super|top|text-top|bottom|text-bottom|\d*x?\d+px|link=.*|page=.*|class=.*|lang=.*)$", re.IGNORECASE)
CREDENTIAL_CODES = {"readapidenied", "mwoauth-invalid-authorization", "mwoauth-invalid-authorization-invalid-user", "badtoken", "assertuserfailed"}


class _BodyLimited(Exception):
    def __init__(self, wait: float) -> None:
        self.wait = wait


class MediaWikiConnector:
    platform = "mediawiki"

    def __init__(self, throttle: Throttle | None = None, client: httpx.Client | None = None) -> None:
        self.throttle = throttle or Throttle()
        self.client = client or httpx.Client(timeout=30)
        self.calls = 0

    @staticmethod
    def api_url(account: AccountRef) -> str:
        url = account.options.get("api_url") or account.handle
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.username or parts.password:
            raise ConnectorError(f"account {account.name}: the wiki's api.php URL (options.api_url, else handle) must be an http(s) URL without a query, user or password")
        if parts.scheme == "http" and account.credentials.get("access_token") and not account.options.get("base_url"):
            # the same rule as options.base_url: a token travels over plain http only on this machine
            base_url_option(AccountRef(account.name, account.platform, account.handle, options={"base_url": f"http://{parts.netloc}"}), "")
        return str(url)

    def _query(self, account: AccountRef, params: dict[str, Any]) -> dict:
        """One api.php query; body errors `maxlag`/`ratelimited` are retried, credential ones raised."""
        api = self.api_url(account)
        origin = f"{urlsplit(api).scheme}://{urlsplit(api).netloc}"
        url = rebase(api, origin, base_url_option(account, origin))
        headers = {"Authorization": f"Bearer {account.credentials['access_token']}"} if account.credentials.get("access_token") else None
        query = {"action": "query", "format": "json", "formatversion": "2", "maxlag": MAXLAG, **params}

        def once() -> dict:
            self.calls += 1
            data = get_json(self.client, self.throttle, account, self.platform, url, query, headers=headers)
            error = data.get("error")
            if isinstance(error, dict):
                code = str(error.get("code") or "")
                if code == "maxlag":
                    raise _BodyLimited(MAXLAG_WAIT)
                if code == "ratelimited":
                    raise _BodyLimited(0.0)
                if code in CREDENTIAL_CODES:
                    raise CredentialsError(f"account {account.name}: the wiki refused to be read ({code}); a private wiki needs a valid access_token")
                raise ResponseError(f"account {account.name}: the wiki API answered error {code or 'without a code'}")
            return data

        return self.throttle.call(self.platform, once, lambda exc: exc.wait if isinstance(exc, _BodyLimited) else None)

    @reads_platform_shapes
    def fetch(self, account: AccountRef, cursor: str | None) -> FetchResult:
        self.calls = 0
        self.throttle.begin(account, self.platform)
        state: dict[str, Any] = json.loads(cursor) if cursor else {}
        last_rcid = int(state.get("rcid") or 0)
        params: dict[str, Any] = {
            "list": "recentchanges", "rctype": "new|edit", "rcdir": "newer", "rclimit": RC_LIMIT,
            "rcprop": "title|ids|sizes|flags|user|userid|timestamp|comment",
        }
        if state.get("since"):
            params["rcstart"] = state["since"]
        changes: list[dict] = []
        for _ in range(MAX_PAGES):
            page = self._query(account, params)
            changes.extend(c for c in (page.get("query") or {}).get("recentchanges") or [] if int(c.get("rcid") or 0) > last_rcid)
            more = page.get("continue")
            if not isinstance(more, dict) or not more.get("rccontinue"):
                break
            params = {**params, **{k: str(v) for k, v in more.items()}}
        texts = self._revisions(account, changes)
        index = self.api_url(account).rsplit("/", 1)[0] + "/index.php"
        items = [edit_item(account, change, texts, index) for change in changes]
        if changes:
            state = {"since": changes[-1]["timestamp"], "rcid": max(int(c["rcid"]) for c in changes)}
        return FetchResult(items=items, cursor=json.dumps(state, sort_keys=True) if state else cursor, calls=self.calls, events=list(self.throttle.events))

    def _revisions(self, account: AccountRef, changes: list[dict]) -> dict[int, dict]:
        """revid -> revision (with its wikitext) for the changes' new and previous revisions."""
        wanted = sorted({int(r) for c in changes for r in (c.get("revid"), c.get("old_revid")) if r})
        found: dict[int, dict] = {}
        for start in range(0, len(wanted), REVISION_BATCH):
            batch = wanted[start:start + REVISION_BATCH]
            page = self._query(account, {"prop": "revisions", "revids": "|".join(map(str, batch)), "rvprop": "ids|content|user|timestamp|comment", "rvslots": "main"})
            for wiki_page in (page.get("query") or {}).get("pages") or []:
                for revision in wiki_page.get("revisions") or []:
                    found[int(revision["revid"])] = revision
        return found


def _own_users(account: AccountRef) -> set[str]:
    """`options.account_user`: the wiki user (or list of users) whose edits are the account's own."""
    value = account.options.get("account_user") or []
    return {value} if isinstance(value, str) else {str(v) for v in value}


def _wikitext(revision: dict | None) -> str | None:
    if not revision:
        return None
    main = (revision.get("slots") or {}).get("main") or {}
    content = main.get("content", revision.get("content"))
    return content if isinstance(content, str) else None


def added_text(old: str | None, new: str | None) -> str:
    """The lines `new` adds to `old` (inserted or replaced), in order; all of `new` for a creation."""
    if not new:
        return ""
    if not old:
        return new
    old_lines, new_lines = old.splitlines(), new.splitlines()
    added: list[str] = []
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag in ("insert", "replace"):
            added.extend(new_lines[j1:j2])
    return "\n".join(added)


def file_media(added: str, index_url: str) -> list[Media]:
    """The pictures the added wikitext embeds, as media: `Special:FilePath` URLs (MediaWiki redirects
    them to the file) and the `alt=` text, else the caption."""
    media: list[Media] = []
    for name, options in FILE_LINK.findall(added):
        parts = [p.strip() for p in options.split("|")[1:] if p.strip()]
        alt = next((p[4:] for p in parts if p.lower().startswith("alt=")), None)
        caption = next((p for p in reversed(parts) if not IMAGE_OPTIONS.match(p) and not p.lower().startswith("alt=")), None)
        title = quote(name.strip().replace(" ", "_"))
        media.append(Media(type="video" if name.lower().endswith((".webm", ".ogv", ".mp4")) else "photo", url=f"{index_url}?title=Special:FilePath/{title}", alt_text=alt or caption))
    return media


def _join(parts: Iterable[str | None]) -> str:
    return "\n".join(p for p in parts if p)


def edit_item(account: AccountRef, change: dict, revisions: dict[int, dict], index_url: str) -> Item:
    """One recentchanges entry as a post: title, the text it added, its edit summary."""
    revid = int(change["revid"])
    new, old = revisions.get(revid), revisions.get(int(change.get("old_revid") or 0))
    added = added_text(_wikitext(old), _wikitext(new))
    if len(added) > MAX_ADDED_CHARS:
        added = added[:MAX_ADDED_CHARS] + "\n[added text cut at 200,000 characters]"
    user = change.get("user") if not change.get("userhidden") else None
    summary = change.get("comment") if not change.get("commenthidden") else None
    return Item(
        platform="mediawiki", platform_id=str(revid), account=account.name, kind="post",
        text=_join([change.get("title"), added, f"Edit summary: {summary}" if summary else None]),
        author=Author(name=str(user or "(hidden)"), platform_id=str(change["userid"]) if change.get("userid") else None,
                      is_account=bool(user) and user in _own_users(account)),
        created_at=parse_time(change.get("timestamp")), permalink=f"{index_url}?oldid={revid}", media=file_media(added, index_url),
        raw={**change, "texthidden": bool(new and (new.get("texthidden") or (new.get("slots") or {}).get("main", {}).get("texthidden")))},
    )
