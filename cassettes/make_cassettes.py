"""Write the project's own vcrpy cassettes in the shapes of the real recordings.

There is no network where these were made, so every interaction is written here by hand in the exact
shapes of the recordings in ../shared/data/api-recordings/ (Graph feed/comments/error bodies and
X-App-Usage headers; X API v2 `data`/`includes`/`meta` and `x-rate-limit-*` headers). Every name,
id and token is invented. Queries list only the parameters that matter for playback (paging, since,
ids); tests match them as a subset of what the connector sends. Run: `.venv/bin/python cassettes/make_cassettes.py`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

HERE = Path(__file__).parent
GRAPH = "https://graph.facebook.com/v19.0"
X = "https://api.twitter.com/2"
PAGE = "1111111111"
FB_JSON = {"Content-Type": ["application/json; charset=UTF-8"], "facebook-api-version": ["v19.0"]}


def interaction(method: str, uri: str, status: int, body: Any, headers: dict[str, list[str]] | None = None, req_body: str | None = None) -> dict:
    return {
        "request": {"body": req_body, "headers": {}, "method": method, "uri": uri},
        "response": {
            "body": {"string": json.dumps(body, ensure_ascii=False)},
            "headers": headers or {},
            "status": {"code": status, "message": {200: "OK", 400: "Bad Request", 401: "Unauthorized", 429: "Too Many Requests"}.get(status, "")},
        },
    }


def write(platform: str, name: str, interactions: list[dict]) -> None:
    folder = HERE / platform
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(yaml.safe_dump({"interactions": interactions, "version": 1}, allow_unicode=True, sort_keys=False), encoding="utf-8")


def fb_headers(calls: int = 3) -> dict[str, list[str]]:
    return {**FB_JSON, "x-app-usage": [json.dumps({"call_count": calls, "total_cputime": 1, "total_time": 1})]}


def fb_person(n: int) -> dict:
    return {"id": f"90000000{n:02d}", "name": f"Parent Person{n}"}


def fb_reply(post: int, c: int, r: int, t: str) -> dict:
    return {"id": f"{post}_{c}{r:02d}", "message": f"Reply {r} to comment {c}", "from": fb_person(r + 10), "created_time": t, "permalink_url": f"https://www.facebook.com/{PAGE}/posts/{post}?comment_id={c}{r:02d}"}


def fb_comment(post: int, c: int, t: str, replies: list[dict] | None = None) -> dict:
    comment = {"id": f"{post}_{c}", "message": f"Comment {c} on the post", "from": fb_person(c % 50), "created_time": t, "permalink_url": f"https://www.facebook.com/{PAGE}/posts/{post}?comment_id={c}"}
    if replies:
        comment["comments"] = {"data": replies, "paging": {"cursors": {"before": "QVFIUmJl", "after": "QVFIUmFm"}}}
    return comment


def fb_post(post: int, t: str, comments: list[dict], total: int | None = None, more: bool = False, photo: bool = False) -> dict:
    data = {"id": f"{PAGE}_{post}", "message": f"School news item {post}", "from": {"id": PAGE, "name": "Maple Grove School"}, "created_time": t, "permalink_url": f"https://www.facebook.com/{PAGE}/posts/{post}"}
    if photo:
        data["attachments"] = {"data": [{"media_type": "photo", "type": "photo", "url": f"https://www.facebook.com/photo/?fbid=77{post}", "description": "Students at the science fair", "media": {"image": {"height": 720, "width": 960, "src": f"https://scontent.example/{post}.jpg"}}, "target": {"id": f"77{post}", "url": f"https://www.facebook.com/photo/?fbid=77{post}"}}]}
    paging: dict[str, Any] = {"cursors": {"before": "QVFIUmJl", "after": f"QVFIUkFGVEVS{post}"}}
    if more:
        paging["next"] = f"{GRAPH}/{PAGE}_{post}/comments?limit=25&after=QVFIUkFGVEVS{post}"
    data["comments"] = {"data": comments, "paging": paging, "summary": {"order": "chronological", "total_count": total if total is not None else len(comments), "can_comment": True}}
    for c in comments:
        c["id"] = c["id"].replace(f"{post}_", f"{PAGE}_{post}_", 1) if False else c["id"]
    return data


def facebook() -> None:
    feed = f"{GRAPH}/{PAGE}/feed"
    page1 = {
        "data": [
            fb_post(501, "2024-03-05T15:00:00+0000", [fb_comment(501, 1, "2024-03-05T15:10:00+0000", [fb_reply(501, 1, 1, "2024-03-05T15:20:00+0000")]), fb_comment(501, 2, "2024-03-05T15:30:00+0000")], total=27, more=True, photo=True),
            fb_post(500, "2024-03-04T12:00:00+0000", []),
        ],
        "paging": {"cursors": {"before": "QVFIUjE", "after": "QVFIUjI"}, "next": f"{feed}?limit=25&until=1709553600&__paging_token=enc_AdB1"},
    }
    page2 = {"data": [fb_post(499, "2024-03-01T09:00:00+0000", [fb_comment(499, 3, "2024-03-01T10:00:00+0000")])], "paging": {"cursors": {"before": "QVFIUjM", "after": "QVFIUjQ"}}}
    more_comments = {"data": [fb_comment(501, 100 + i, f"2024-03-05T16:{i:02d}:00+0000") for i in range(25)], "paging": {"cursors": {"before": "QVFIUmJl", "after": "QVFIUkVORA"}}}
    tags = {"77501": {"tags": {"data": [{"id": "9100000001", "name": "Tagged Student", "created_time": "2024-03-05T15:00:00+0000"}]}, "id": "77501"}}
    write("facebook", "feed_first_poll", [
        interaction("GET", f"{feed}?limit=25", 200, page1, fb_headers()),
        interaction("GET", f"{GRAPH}/?ids=77501", 200, tags, fb_headers()),
        interaction("GET", f"{GRAPH}/{PAGE}_501/comments?after=QVFIUkFGVEVS501", 200, more_comments, fb_headers()),
        interaction("GET", f"{feed}?until=1709553600&__paging_token=enc_AdB1", 200, page2, fb_headers()),
    ])
    write("facebook", "feed_empty_poll", [interaction("GET", f"{feed}?since=1709051040", 200, {"data": []}, fb_headers())])
    rate = {"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "is_transient": True, "code": 4, "fbtrace_id": "AbCdEfGh001"}}
    write("facebook", "feed_rate_limited", [
        interaction("GET", f"{feed}?since=1709051040", 400, rate, fb_headers(100)),
        interaction("GET", f"{feed}?since=1709051040", 400, {"error": {**rate["error"], "code": 613, "message": "(#613) Calls to this api have exceeded the rate limit."}}, fb_headers(100)),
        interaction("GET", f"{feed}?since=1709051040", 200, {"data": []}, fb_headers(40)),
    ])
    write("facebook", "feed_always_limited", [interaction("GET", f"{feed}?since=1709051040", 400, rate, fb_headers(100)) for _ in range(4)])
    expired = {"error": {"message": "Error validating access token: Session has expired on Sunday, 03-Mar-24 10:00:00 PST.", "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "AbCdEfGh002"}}
    write("facebook", "token_expired", [interaction("GET", f"{feed}?limit=25", 400, expired, {**FB_JSON, "www-authenticate": ['OAuth "Facebook Platform" "invalid_token" "Error validating access token"']})])
    write("facebook", "hide_comment", [interaction("POST", f"{GRAPH}/{PAGE}_501_1", 200, {"success": True}, fb_headers(), req_body="is_hidden=true")])
    write("facebook", "delete_comment", [interaction("DELETE", f"{GRAPH}/{PAGE}_501_2", 200, {"success": True}, fb_headers())])


def x_headers(remaining: int = 1498, limit: int = 1500, reset: int = 1709650000) -> dict[str, list[str]]:
    return {"content-type": ["application/json; charset=utf-8"], "api-version": ["2.90"], "x-access-level": ["read"], "x-rate-limit-limit": [str(limit)], "x-rate-limit-remaining": [str(remaining)], "x-rate-limit-reset": [str(reset)]}


ACCOUNT_X = "4400000001"


def tweet(tid: str, text: str, author: str, t: str, conv: str | None = None, replied: str | None = None, media: list[str] | None = None) -> dict:
    data: dict[str, Any] = {"edit_history_tweet_ids": [tid], "id": tid, "text": text, "author_id": author, "created_at": t, "conversation_id": conv or tid}
    if replied:
        data["referenced_tweets"] = [{"type": "replied_to", "id": replied}]
        data["in_reply_to_user_id"] = ACCOUNT_X
    if media:
        data["attachments"] = {"media_keys": media}
    return data


def x_user(uid: str, n: str) -> dict:
    return {"id": uid, "name": n, "username": n.lower().replace(" ", "_")}


def meta(data: list[dict], next_token: str | None = None) -> dict:
    m: dict[str, Any] = {"result_count": len(data)}
    if data:
        m["newest_id"] = max((d["id"] for d in data), key=int)
        m["oldest_id"] = min((d["id"] for d in data), key=int)
    if next_token:
        m["next_token"] = next_token
    return m


def x() -> None:
    school = x_user(ACCOUNT_X, "Maple Grove School")
    posts1 = [tweet("1800000000000000200", "Science fair today! Photos below.", ACCOUNT_X, "2024-03-05T15:00:00.000Z", media=["3_1800000000000000201"])]
    posts2 = [tweet("1800000000000000100", "Reminder: early dismissal Friday.", ACCOUNT_X, "2024-03-04T12:00:00.000Z")]
    media = [{"media_key": "3_1800000000000000201", "type": "photo", "url": "https://pbs.twimg.example/media/abc.jpg", "alt_text": "Projects on tables"}]
    mentions = [tweet("1800000000000000300", "@maple_grove_school is the gym open Saturday?", "4400000002", "2024-03-05T16:00:00.000Z")]
    replies = [tweet("1800000000000000400", "@maple_grove_school great projects!", "4400000003", "2024-03-05T17:00:00.000Z", conv="1800000000000000200", replied="1800000000000000200")]
    conv = "conversation_id:1800000000000000200 OR conversation_id:1800000000000000100"
    write("x", "first_poll", [
        interaction("GET", f"{X}/users/{ACCOUNT_X}/tweets?max_results=100", 200, {"data": posts1, "includes": {"media": media, "users": [school]}, "meta": meta(posts1, "7140dibdnow9c7btw4")}, x_headers()),
        interaction("GET", f"{X}/users/{ACCOUNT_X}/tweets?pagination_token=7140dibdnow9c7btw4", 200, {"data": posts2, "includes": {"users": [school]}, "meta": {**meta(posts2), "previous_token": "77qp8"}}, x_headers(1497)),
        interaction("GET", f"{X}/users/{ACCOUNT_X}/mentions?max_results=100", 200, {"data": mentions, "includes": {"users": [x_user("4400000002", "Pat Neighbour")]}, "meta": meta(mentions)}, x_headers(448, 450)),
        interaction("GET", f"{X}/tweets/search/recent?{urlencode({'query': conv})}", 200, {"data": replies, "includes": {"users": [x_user("4400000003", "Sam Parent")]}, "meta": meta(replies)}, x_headers(448, 450)),
    ])
    watch = "conversation_id:1800000000000000200 OR conversation_id:1800000000000000100"
    write("x", "empty_poll", [
        interaction("GET", f"{X}/users/{ACCOUNT_X}/tweets?since_id=1800000000000000200", 200, {"meta": {"result_count": 0}}, x_headers(1496)),
        interaction("GET", f"{X}/users/{ACCOUNT_X}/mentions?since_id=1800000000000000300", 200, {"meta": {"result_count": 0}}, x_headers(447, 450)),
        interaction("GET", f"{X}/tweets/search/recent?{urlencode({'query': watch, 'since_id': '1800000000000000400'})}", 200, {"meta": {"result_count": 0}}, x_headers(447, 450)),
    ])
    too_many = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
    write("x", "rate_limited", [
        interaction("GET", f"{X}/users/{ACCOUNT_X}/tweets?max_results=100", 429, too_many, x_headers(0, 1500, 1709650000)),
        interaction("GET", f"{X}/users/{ACCOUNT_X}/tweets?max_results=100", 200, {"meta": {"result_count": 0}}, x_headers(1499)),
        interaction("GET", f"{X}/users/{ACCOUNT_X}/mentions?max_results=100", 200, {"meta": {"result_count": 0}}, x_headers(449, 450)),
    ])
    unauthorized = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    write("x", "token_expired", [interaction("GET", f"{X}/users/{ACCOUNT_X}/tweets?max_results=100", 401, unauthorized, {"content-type": ["application/problem+json"]})])
    write("x", "hide_reply", [interaction("PUT", f"{X}/tweets/1800000000000000400/hidden", 200, {"data": {"hidden": True}}, x_headers(49, 50))])


if __name__ == "__main__":
    facebook()
    x()
    print("cassettes written under", HERE)
