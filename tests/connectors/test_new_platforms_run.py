"""Flickr, Pinterest, MediaWiki, Threads and LinkedIn in real `hallwatch run` processes, on SQLite and
PostgreSQL, against one local threaded server that answers as each platform's API does.

Each account reaches the server under its own path prefix through `options.base_url` (the wiki
through its api.php URL), with fake tokens from the environment. Two more accounts are broken (a
Flickr key the server refuses with `stat: fail` code 98, a LinkedIn token it answers 401). Three runs:
1. every healthy account stores its posts and comments, the two broken ones fail with a clear
   error, and the run exits ACCOUNTS_FAILED having finished the others;
2. nothing new on the server: nothing is added, no cursor moves back;
3. two newer posts on every account: exactly those (and their comments) are added, each once.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import create_engine, text

from monitor import exitcodes
from tests.conftest import _fresh_postgres

REPO = Path(__file__).resolve().parents[2]
HALLWATCH = Path(sys.executable).with_name("hallwatch")
ADMINS = "[marcus.delacroix@prairiehills-sd.ca, tessa.nakamura@prairiehills-sd.ca]"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
TOKENS = {"HW16_FLICKR_KEY": "flickrfaultkey0001", "HW16_PIN_TOKEN": "pina_faultfaketoken", "HW16_THREADS_TOKEN": "THfaultfaketoken", "HW16_LI_TOKEN": "AQVfaultfaketoken"}
# name -> (platform, credentials, broken)
ACCOUNTS = {
    "flickr-one": ("flickr", "{api_key: env:HW16_FLICKR_KEY}", False),
    "pinterest-one": ("pinterest", "{access_token: env:HW16_PIN_TOKEN}", False),
    "wiki-one": ("mediawiki", "{}", False),
    "threads-one": ("threads", "{access_token: env:HW16_THREADS_TOKEN}", False),
    "linkedin-one": ("linkedin", "{access_token: env:HW16_LI_TOKEN}", False),
    "flickr-broken": ("flickr", "{api_key: env:HW16_FLICKR_KEY}", True),
    "linkedin-broken": ("linkedin", "{access_token: env:HW16_LI_TOKEN}", True),
}
# platforms whose posts each carry one comment on this server (Pinterest has no comments API;
# a wiki edit is one item)
COMMENTED = {"flickr", "threads", "linkedin"}
TAGGED_STUDENT = "Oliver Mbeki"


def when(n: int) -> datetime:
    return T0 + timedelta(minutes=10 * n)


def iso(moment: datetime, fmt: str = "%Y-%m-%dT%H:%M:%S+0000") -> str:
    return moment.strftime(fmt)


class FivePlatforms:
    """Answers as the five APIs do, for the accounts registered with `account`; `add(name, n)` adds n posts."""

    def __init__(self) -> None:
        self.posts: dict[str, int] = {}
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def add(self, name: str, count: int) -> None:
        with self.lock:
            self.posts[name] = self.posts.get(name, 0) + count

    def expected(self, name: str) -> list[str]:
        """The platform ids the account should hold by now."""
        platform = ACCOUNTS[name][0]
        ids: list[str] = []
        for n in range(1, self.posts.get(name, 0) + 1):
            ids.append(post_id(platform, n))
            if platform in COMMENTED:
                ids.append(comment_id(platform, n))
        return ids

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, name: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        platform, _, broken = ACCOUNTS[name]
        with self.lock:
            numbers = list(range(self.posts.get(name, 0), 0, -1))  # newest first
        if broken and platform == "flickr":
            return 200, {"stat": "fail", "code": 98, "message": "Invalid auth token"}
        if broken:
            return 401, {"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN", "message": "The token used in the request has been revoked"}
        return ANSWERS[platform](name, path, query, numbers)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                name, _, rest = parts.path.lstrip("/").partition("/")
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, data = server.answer(name, "/" + rest, query) if name in ACCOUNTS else (404, {"error": "no such account"})
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def post_id(platform: str, n: int) -> str:
    return {"flickr": f"535{n:08d}", "pinterest": f"10000{n:011d}", "mediawiki": str(1000 + n), "threads": f"181{n:014d}", "linkedin": f"urn:li:share:7{n:017d}"}[platform]


def comment_id(platform: str, n: int) -> str:
    return {"flickr": f"c-{n}", "threads": f"182{n:014d}", "linkedin": f"urn:li:comment:(urn:li:activity:7{n:017d},9{n})"}[platform]


def flickr(name: str, path: str, query: dict[str, str], numbers: list[int]) -> tuple[int, Any]:
    method = query.get("method")
    if method == "flickr.people.getPhotos":
        photos = [{"id": post_id("flickr", n), "owner": page(name), "title": f"Photo {n}", "description": {"_content": f"Book fair, day {n}."},
                   "dateupload": str(int(when(n).timestamp())), "ownername": name, "media": "photo", "url_m": f"https://live.staticflickr.example/{n}.jpg"} for n in numbers]
        return 200, {"photos": {"page": 1, "pages": 1, "perpage": 100, "total": len(photos), "photo": photos}, "stat": "ok"}
    if method == "flickr.photos.people.getList":
        # the first photo has a roster student (config/example/students.csv) tagged in it
        person = [{"nsid": "55555555@N03", "username": "ollie_m", "realname": TAGGED_STUDENT}] if query["photo_id"] == post_id("flickr", 1) else []
        return 200, {"people": {"total": len(person), "photo_id": query["photo_id"], "person": person}, "stat": "ok"}
    if method == "flickr.photos.comments.getList":
        n = int(query["photo_id"][3:])
        created = int((when(n) + timedelta(minutes=1)).timestamp())
        comments = [{"id": comment_id("flickr", n), "author": "98765432@N02", "authorname": "A parent", "datecreate": str(created), "_content": "Lovely!"}]
        return 200, {"comments": {"photo_id": query["photo_id"], "comment": comments}, "stat": "ok"}
    return 200, {"stat": "fail", "code": 112, "message": "Method not found"}


def pinterest(name: str, path: str, query: dict[str, str], numbers: list[int]) -> tuple[int, Any]:
    if path == "/v5/boards":
        return 200, {"items": [], "bookmark": None}
    if path == "/v5/pins":
        pins = [{"id": post_id("pinterest", n), "created_at": iso(when(n), "%Y-%m-%dT%H:%M:%S"), "title": f"Pin {n}", "description": "Art class work.",
                 "board_owner": {"username": page(name)}, "media": {"media_type": "image", "images": {"600x": {"width": 600, "height": 400, "url": f"https://i.pinimg.example/{n}.jpg"}}}} for n in numbers]
        return 200, {"items": pins, "bookmark": None}
    return 404, {"code": 404, "message": "not found"}


def mediawiki(name: str, path: str, query: dict[str, str], numbers: list[int]) -> tuple[int, Any]:
    if query.get("list") == "recentchanges":
        changes = [{"type": "new", "ns": 0, "title": f"Page {n}", "pageid": n, "revid": 1000 + n, "old_revid": 0, "rcid": n, "user": "MsTeacher", "userid": 3,
                    "timestamp": iso(when(n), "%Y-%m-%dT%H:%M:%SZ"), "comment": "new page"} for n in reversed(numbers)]
        return 200, {"batchcomplete": True, "query": {"recentchanges": changes}}
    if query.get("prop") == "revisions":
        pages = [{"pageid": int(r) - 1000, "title": f"Page {int(r) - 1000}", "revisions": [{"revid": int(r), "parentid": 0, "user": "MsTeacher", "timestamp": iso(when(int(r) - 1000), "%Y-%m-%dT%H:%M:%SZ"),
                  "slots": {"main": {"contentmodel": "wikitext", "content": f"Class notes, week {int(r) - 1000}."}}}]} for r in query["revids"].split("|")]
        return 200, {"batchcomplete": True, "query": {"pages": pages}}
    return 200, {"error": {"code": "badvalue", "info": "unknown query"}}


def threads(name: str, path: str, query: dict[str, str], numbers: list[int]) -> tuple[int, Any]:
    if path.endswith("/threads"):
        data = [{"id": post_id("threads", n), "text": f"Thread {n}: the library opens at nine.", "username": page(name), "timestamp": iso(when(n)), "media_type": "TEXT_POST"} for n in numbers]
        return 200, {"data": data, "paging": {"cursors": {"before": "b", "after": "a"}}}
    if path.endswith("/conversation"):
        n = int(path.split("/")[2][3:])
        reply = {"id": comment_id("threads", n), "text": "Thanks!", "username": "a_parent", "timestamp": iso(when(n) + timedelta(minutes=1)), "replied_to": {"id": post_id("threads", n)}}
        return 200, {"data": [reply], "paging": {"cursors": {}}}
    return 400, {"error": {"message": "Unsupported get request", "type": "GraphMethodException", "code": 100}}


def linkedin(name: str, path: str, query: dict[str, str], numbers: list[int]) -> tuple[int, Any]:
    if path == "/rest/posts":
        start, count = int(query.get("start", 0)), int(query.get("count", 50))
        posts = [{"id": post_id("linkedin", n), "author": f"urn:li:organization:{page(name)}", "commentary": f"Post {n}: robotics club news.", "createdAt": int(when(n).timestamp() * 1000)} for n in numbers]
        return 200, {"paging": {"start": start, "count": count}, "elements": posts[start:start + count]}
    if path.startswith("/rest/socialActions/"):
        urn = unquote(path.split("/")[3])
        if not urn.startswith("urn:li:share:"):
            return 200, {"paging": {"start": 0, "count": 100}, "elements": []}
        n = int(urn.rsplit(":", 1)[1][1:])
        comment = {"commentUrn": comment_id("linkedin", n), "id": f"9{n}", "actor": "urn:li:person:InventedParent", "object": f"urn:li:activity:7{n:017d}",
                   "message": {"text": "Congratulations!"}, "created": {"time": int((when(n) + timedelta(minutes=1)).timestamp() * 1000)}}
        return 200, {"paging": {"start": 0, "count": 100}, "elements": [comment]}
    return 404, {"status": 404, "message": "Not found"}


ANSWERS = {"flickr": flickr, "pinterest": pinterest, "mediawiki": mediawiki, "threads": threads, "linkedin": linkedin}


def page(name: str) -> str:
    return str(1000000 + sum(ord(c) for c in name))


def write_division(folder: Path, server: FivePlatforms) -> None:
    example = REPO / "config" / "example"
    head = (example / "division.yaml").read_text(encoding="utf-8").split("\naccounts:")[0]
    head = head.replace("credentials_file: credentials.env", "credentials_file: null")
    lines = []
    for name, (platform, credentials, _) in ACCOUNTS.items():
        # the wiki keeps its real api.php URL as handle; base_url moves only its origin here
        handle = f"https://{name}.wiki.example/w/api.php" if platform == "mediawiki" else page(name)
        options = {"base_url": f"{server.origin}/{name}"}
        lines.append(f"  - name: {name}\n    platform: {platform}\n    handle: {json.dumps(handle)}\n    administrators: {ADMINS}\n"
                     f"    credentials: {credentials}\n    options: {json.dumps(options)}\n")
    (folder / "division.yaml").write_text(head + "\naccounts:\n" + "".join(lines), encoding="utf-8")


def hallwatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HALLWATCH), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


class Store:
    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, sql: str, **params: object) -> list[tuple]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(text(sql), params)]
        finally:
            engine.dispose()

    def items(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {name: [] for name in ACCOUNTS}
        for name, pid in self.query("SELECT a.name, i.platform_id FROM items i JOIN accounts a ON a.id = i.account_id ORDER BY i.id"):
            found[name].append(pid)
        return found

    def kinds(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for name, kind in self.query("SELECT DISTINCT a.name, i.kind FROM items i JOIN accounts a ON a.id = i.account_id"):
            found.setdefault(name, set()).add(kind)
        return found

    def cursors(self) -> dict[str, str | None]:
        return dict(self.query("SELECT a.name, c.value FROM cursors c JOIN accounts a ON a.id = c.account_id"))

    def last_run(self) -> dict[str, tuple[str, str | None]]:
        (run_id,) = self.query("SELECT max(id) FROM runs")[0]
        rows = self.query("SELECT a.name, r.status, r.error FROM run_accounts r JOIN accounts a ON a.id = r.account_id WHERE r.run_id = :run", run=run_id)
        return {name: (status, error) for name, status, error in rows}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("division16")
    data = tmp_path_factory.mktemp("data16")
    for csv in ("students.csv", "staff.csv"):
        shutil.copy(REPO / "config" / "example" / csv, folder / csv)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLWATCH_")} | TOKENS
    if request.param == "sqlite":
        store = Store(f"sqlite:///{data / 'hallwatch.sqlite3'}")
    else:
        fresh = _fresh_postgres(request.getfixturevalue("postgres_template"))
        url = next(fresh)
        request.addfinalizer(fresh.close)
        env["HALLWATCH_DATABASE_URL"] = url
        store = Store(url)
    args = ("--config", str(folder), "--data-dir", str(data))
    server = FivePlatforms()
    try:
        for name in ACCOUNTS:
            server.add(name, 2)
        write_division(folder, server)
        init = hallwatch("init", *args, env=env)
        assert init.returncode == 0, init.stdout + init.stderr
        out: dict[str, Any] = {}
        out["first"] = hallwatch("run", "--all", *args, env=env)
        out["first_state"] = {"items": store.items(), "cursors": store.cursors(), "run": store.last_run(), "kinds": store.kinds(),
                              "flickr_findings": store.query("SELECT i.platform_id, f.category FROM findings f JOIN items i ON i.id = f.item_id JOIN accounts a ON a.id = i.account_id WHERE a.name = 'flickr-one'"),
                              "wiki_links": [r[0] for r in store.query("SELECT i.permalink FROM items i JOIN accounts a ON a.id = i.account_id WHERE a.name = 'wiki-one' ORDER BY i.platform_id")],
                              "expected": {n: server.expected(n) for n in ACCOUNTS}}
        out["again"] = hallwatch("run", "--all", *args, env=env)
        out["again_state"] = {"items": store.items(), "cursors": store.cursors(), "run": store.last_run()}
        for name in ACCOUNTS:
            server.add(name, 2)
        out["newer"] = hallwatch("run", "--all", *args, env=env)
        out["newer_state"] = {"items": store.items(), "run": store.last_run(), "expected": {n: server.expected(n) for n in ACCOUNTS}}
    finally:
        server.close()
    return out


HEALTHY = [n for n, (_, _, broken) in ACCOUNTS.items() if not broken]
BROKEN = [n for n, (_, _, broken) in ACCOUNTS.items() if broken]


@pytest.mark.parametrize("name", HEALTHY)
def test_first_run_stores_every_healthy_account(runs, name: str) -> None:
    state = runs["first_state"]
    assert state["run"][name] == ("ok", None)
    assert sorted(state["items"][name]) == sorted(state["expected"][name])
    assert state["cursors"][name]


def test_comments_arrive_as_comments(runs) -> None:
    kinds = runs["first_state"]["kinds"]
    for name in ("flickr-one", "threads-one", "linkedin-one"):
        assert kinds[name] == {"post", "comment"}, name
    assert kinds["pinterest-one"] == kinds["wiki-one"] == {"post"}


def test_a_flickr_people_tag_reaches_the_tagged_student_check(runs) -> None:
    found = set(runs["first_state"]["flickr_findings"])
    assert (post_id("flickr", 1), "student_tagged") in found
    assert not any(pid == post_id("flickr", 2) for pid, _ in found)  # nobody tagged there
    for run in ("first", "again", "newer"):
        assert "Mbeki" not in runs[run].stdout + runs[run].stderr


def test_wiki_permalinks_name_the_wiki_not_the_base_url(runs) -> None:
    store_links = runs["first_state"]["wiki_links"]
    assert store_links == ["https://wiki-one.wiki.example/w/index.php?oldid=1001", "https://wiki-one.wiki.example/w/index.php?oldid=1002"]


@pytest.mark.parametrize("name", BROKEN)
def test_a_refused_account_fails_alone_with_a_clear_error(runs, name: str) -> None:
    first = runs["first"]
    assert first.returncode == exitcodes.ACCOUNTS_FAILED, first.stdout + first.stderr
    status, error = runs["first_state"]["run"][name]
    assert status == "failed" and error and name in error and ("code 98" in error or "expired or invalid" in error), error
    assert runs["first_state"]["items"][name] == [] and name not in runs["first_state"]["cursors"]


def test_a_rerun_adds_nothing(runs) -> None:
    assert runs["again_state"]["items"] == runs["first_state"]["items"]
    for name in HEALTHY:
        assert runs["again_state"]["run"][name] == ("ok", None)
        assert runs["again_state"]["cursors"][name] == runs["first_state"]["cursors"][name], name


@pytest.mark.parametrize("name", HEALTHY)
def test_newer_posts_are_added_each_once(runs, name: str) -> None:
    state = runs["newer_state"]
    assert state["run"][name] == ("ok", None)
    assert sorted(state["items"][name]) == sorted(state["expected"][name])
    assert len(state["items"][name]) == len(set(state["items"][name]))


def test_no_traceback_and_no_token_in_the_output(runs) -> None:
    for run in ("first", "again", "newer"):
        output = runs[run].stdout + runs[run].stderr
        assert "Traceback" not in output
        for token in TOKENS.values():
            assert token not in output
