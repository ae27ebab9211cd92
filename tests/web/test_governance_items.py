"""Account-level items (governance gaps) in the web queue: listed, shown with rule, clause, reason
and what to do, no post text or link, and not resolvable by hand."""
from __future__ import annotations

from sqlalchemy import select
from starlette.testclient import TestClient

from monitor.config import Division
from monitor.db import Database
from monitor.governance import run_governance
from monitor.models import GovernanceFindingRow, ReviewItem
from tests.queue.helpers import ITS, NOW, WILLOW, WILLOW_ADMIN, make_user, routed_item
from tests.web.conftest import csrf_of, sign_in


def test_a_governance_gap_in_the_queue_and_on_its_page(client: TestClient, db: Database, division: Division) -> None:
    make_user(db, division, ITS, "its_admin")
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    post = routed_item(db, division, WILLOW, [("student_pii", "medium")])
    run_governance(db, division, NOW)
    with db.sessions() as session:
        gap = session.scalars(select(ReviewItem).join(GovernanceFindingRow, ReviewItem.governance_id == GovernanceFindingRow.id)
                              .where(GovernanceFindingRow.rule == "content_manager")).one()
        gap_id = gap.id
    sign_in(client, ITS)
    listing = client.get("/?category=governance")
    assert listing.status_code == 200
    assert f'data-id="{gap_id}"' in listing.text and "content manager</strong> [AP193 1.7, 3.4]: no designated content manager" in listing.text
    assert f'data-id="{post.id}"' not in listing.text
    page = client.get(f"/items/{gap_id}")
    assert page.status_code == 200
    for shown in ('class="rule">content manager', 'class="clause">AP193 1.7, 3.4', 'class="reason">no designated content manager',
                  "class=\"todo\">Name the account&#39;s content manager", "the account itself"):
        assert shown in page.text
    assert 'class="text"' not in page.text and "open on youtube" not in page.text and 'id="resolve-form"' not in page.text
    # resolving by hand is refused with the reason; claiming works as for any item
    token = csrf_of(page.text)
    refused = client.post(f"/items/{gap_id}/resolve", data={"csrf_token": token, "outcome": "dismissed", "version": "1"})
    assert refused.status_code == 409 and "closes itself" in refused.text
    claimed = client.post(f"/items/{gap_id}/claim", data={"csrf_token": token, "version": "1"})
    assert claimed.status_code == 303
    # an item's page is unchanged: its text is still there
    assert "Oliver Mbeki" in client.get(f"/items/{post.id}").text


def test_a_school_admin_sees_only_their_accounts_gaps(client: TestClient, db: Database, division: Division) -> None:
    make_user(db, division, WILLOW_ADMIN, "account_admin")
    run_governance(db, division, NOW)
    with db.sessions() as session:
        other = session.scalars(select(ReviewItem).join(GovernanceFindingRow, ReviewItem.governance_id == GovernanceFindingRow.id)
                                .where(GovernanceFindingRow.rule == "content_manager")).one()
    sign_in(client, WILLOW_ADMIN)
    assert client.get(f"/items/{other.id}").status_code == 404
    assert "northgate-high-yt" not in client.get("/?category=governance").text
