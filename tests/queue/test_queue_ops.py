from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from connectors.base import AccountRef, ConnectorError
from monitor.config import Division
from monitor.db import Database
from monitor.models import AuditEntry, ReviewItem
from monitor.queue import (
    ActionFailed, ConflictError, InvalidInput, NotFound, PermissionDenied, bulk_dismiss, claim, escalate, get_item,
    list_items, release, resolve,
)
from monitor.users import Viewer, visible_accounts
from tests.queue.helpers import (
    COMMS, NORTHGATE, NORTHGATE_ADMIN, NOW, WILLOW, WILLOW_ADMIN, WILLOW_PRINCIPAL, example_division, routed_item,
)


@pytest.fixture(scope="module")
def division() -> Division:
    return example_division()


def viewer(division: Division, email: str, role: str) -> Viewer:
    return Viewer(email, role, email, visible_accounts(division, email, role))


class RecordingConnector:
    """A real (small) connector: records what the queue asked of it."""

    platform = "facebook"
    calls: list[tuple[str, str, str]] = []

    def fetch(self, account, cursor):  # noqa: ANN001, ANN201
        raise ConnectorError("not used here")

    def hide(self, account: AccountRef, platform_id: str) -> None:
        self.calls.append(("hide", account.name, platform_id))

    def delete(self, account: AccountRef, platform_id: str) -> None:
        self.calls.append(("delete", account.name, platform_id))


class BrokenConnector(RecordingConnector):
    def hide(self, account: AccountRef, platform_id: str) -> None:
        raise ConnectorError("Graph API error 10: permission denied")


def audit_actions(db: Database, review_id: int) -> list[str]:
    with db.sessions() as session:
        return [a.action for a in session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(review_id), AuditEntry.entity_type == "review_item").order_by(AuditEntry.id))]


def test_claim_release_and_resolve_are_audited(db: Database, division: Division) -> None:
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")])
    admin = viewer(division, WILLOW_ADMIN, "account_admin")
    claimed = claim(db, admin, review.id, NOW)
    assert claimed.state == "claimed" and claimed.claimed_by == WILLOW_ADMIN and claimed.version == 2
    other = viewer(division, WILLOW_PRINCIPAL, "principal")
    with pytest.raises(ConflictError, match="already claimed by claire.dubois"):
        claim(db, other, review.id, NOW)
    with pytest.raises(PermissionDenied):
        release(db, other, review.id, NOW)
    release(db, admin, review.id, NOW)
    claim(db, other, review.id, NOW)
    done = resolve(db, division, other, review.id, "dismissed", None, NOW + timedelta(minutes=5))
    assert done.state == "resolved" and done.outcome == "dismissed" and not done.active
    assert audit_actions(db, review.id) == ["route", "claim", "release", "claim", "resolve"]
    with db.sessions() as session:
        last = session.scalars(select(AuditEntry).where(AuditEntry.action == "resolve")).one()
        assert last.actor == WILLOW_PRINCIPAL and last.before["state"] == "claimed" and last.after["outcome"] == "dismissed"
        # the flagged text never goes into the audit log
        assert "Oliver" not in str(last.before) + str(last.after)


def test_stale_version_is_a_conflict_not_an_overwrite(db: Database, division: Division) -> None:
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")])
    admin = viewer(division, WILLOW_ADMIN, "account_admin")
    claim(db, admin, review.id, NOW, version=1)
    release(db, admin, review.id, NOW, version=2)
    # the page still shows version 1: the claim must not silently overwrite what happened since
    with pytest.raises(ConflictError, match="changed by someone else"):
        claim(db, admin, review.id, NOW, version=1)


def test_confirmation_needs_a_note_and_a_known_outcome(db: Database, division: Division) -> None:
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="post")
    admin = viewer(division, WILLOW_ADMIN, "account_admin")
    with pytest.raises(InvalidInput, match="^note: "):
        resolve(db, division, admin, review.id, "confirmed_edited", "  ", NOW)
    with pytest.raises(InvalidInput, match="^outcome: "):
        resolve(db, division, admin, review.id, "ignored", "x", NOW)
    with db.sessions() as session:
        assert session.get(ReviewItem, review.id).state == "open"  # nothing half-written
    assert audit_actions(db, review.id) == ["route"]


def test_hide_comment_through_the_connector(db: Database, division: Division) -> None:
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="comment", platform_id="c-77")
    admin = viewer(division, WILLOW_ADMIN, "account_admin")
    RecordingConnector.calls = []
    done = resolve(db, division, admin, review.id, "confirmed_hidden", "hid it, told the parent", NOW, connector_for=lambda ref: RecordingConnector())
    assert RecordingConnector.calls == [("hide", WILLOW, "c-77")]
    assert done.outcome == "confirmed_hidden"
    with db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "resolve")).one()
        assert entry.after["action"] == "hide" and "c-77" in entry.after["action_result"]


def test_actions_through_the_registry(db: Database, division: Division, monkeypatch: pytest.MonkeyPatch) -> None:
    import connectors.registry as registry
    monkeypatch.setitem(registry.PLATFORMS, "x", RecordingConnector)
    review = routed_item(db, division, "prairie-hills-sd-x", [("harassment", "medium")], kind="comment", platform_id="t-1")
    RecordingConnector.calls = []
    import dataclasses
    # the example accounts read sample files; a real deployment has none, so the registry picks the platform's connector
    live = dataclasses.replace(division, accounts=[a.model_copy(update={"sample_file": None}) for a in division.accounts])
    comms = viewer(division, COMMS, "communications_manager")
    resolve(db, live, comms, review.id, "confirmed_deleted", "deleted, abusive", NOW)
    assert RecordingConnector.calls == [("delete", "prairie-hills-sd-x", "t-1")]


def test_failed_action_leaves_the_item_open_with_the_error(db: Database, division: Division) -> None:
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="comment")
    admin = viewer(division, WILLOW_ADMIN, "account_admin")
    claim(db, admin, review.id, NOW)
    with pytest.raises(ActionFailed, match="permission denied"):
        resolve(db, division, admin, review.id, "confirmed_hidden", "hide it", NOW, connector_for=lambda ref: BrokenConnector())
    with db.sessions() as session:
        row = session.get(ReviewItem, review.id)
        assert row.state == "claimed" and row.active and "permission denied" in row.last_error
    assert audit_actions(db, review.id) == ["route", "claim", "action_hide_failed"]
    # a retry that works clears the error
    done = resolve(db, division, admin, review.id, "confirmed_hidden", "hide it", NOW, connector_for=lambda ref: RecordingConnector())
    assert done.state == "resolved" and done.last_error is None


def test_a_reply_cannot_be_deleted_from_the_queue(db: Database, division: Division) -> None:
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="reply")
    admin = viewer(division, WILLOW_ADMIN, "account_admin")
    with pytest.raises(ActionFailed, match="reply cannot be deleted"):
        resolve(db, division, admin, review.id, "confirmed_deleted", "x", NOW, connector_for=lambda ref: RecordingConnector())


def test_visibility_by_role(db: Database, division: Division) -> None:
    willow = routed_item(db, division, WILLOW, [("student_pii", "medium")])
    northgate = routed_item(db, division, NORTHGATE, [("student_pii", "medium")])
    division_item = routed_item(db, division, "prairie-hills-sd-fb", [("student_pii", "medium")])
    cases = {
        (WILLOW_ADMIN, "account_admin"): {willow.id},
        (WILLOW_PRINCIPAL, "principal"): {willow.id},
        (NORTHGATE_ADMIN, "account_admin"): {northgate.id},
        (COMMS, "communications_manager"): {willow.id, northgate.id, division_item.id},
        ("tessa.nakamura@prairiehills-sd.ca", "its_admin"): {willow.id, northgate.id, division_item.id},
    }
    with db.sessions() as session:
        for (email, role), expected in cases.items():
            v = viewer(division, email, role)
            assert {r.id for r in list_items(session, v).items} == expected, email
            for hidden in {willow.id, northgate.id, division_item.id} - expected:
                with pytest.raises(NotFound):
                    get_item(session, v, hidden)
        with pytest.raises(NotFound):
            list_items(session, viewer(division, WILLOW_ADMIN, "account_admin"), account=NORTHGATE)
    with pytest.raises(NotFound):
        claim(db, viewer(division, WILLOW_ADMIN, "account_admin"), northgate.id, NOW)


def test_list_is_sorted_by_due_then_severity_and_pages_by_keyset(db: Database, division: Division) -> None:
    a = routed_item(db, division, WILLOW, [("student_pii", "low")])
    b = routed_item(db, division, WILLOW, [("student_pii", "high")])
    c = routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")])  # due in 4 h
    d = routed_item(db, division, WILLOW, [("personal_use", "low")], kind="post")  # due in 72 h
    comms = viewer(division, COMMS, "communications_manager")
    with db.sessions() as session:
        first = list_items(session, comms, limit=2)
        assert [r.id for r in first.items] == [c.id, b.id] and first.next_cursor
        second = list_items(session, comms, limit=2, after=first.next_cursor)
        assert [r.id for r in second.items] == [a.id, d.id] and second.next_cursor is None
        assert [r.id for r in list_items(session, comms, category="media_inquiry").items] == [c.id]
        assert [r.id for r in list_items(session, comms, account=NORTHGATE).items] == [c.id]
        with pytest.raises(InvalidInput, match="^state: "):
            list_items(session, comms, state="lost")
        with pytest.raises(InvalidInput, match="^after: "):
            list_items(session, comms, after="garbage")


def test_escalate_and_bulk_dismiss(db: Database, division: Division) -> None:
    one = routed_item(db, division, WILLOW, [("student_pii", "medium")])
    two = routed_item(db, division, WILLOW, [("student_pii", "medium")])
    three = routed_item(db, division, WILLOW, [("student_pii", "medium")])
    admin = viewer(division, WILLOW_ADMIN, "account_admin")
    principal = viewer(division, WILLOW_PRINCIPAL, "principal")
    escalated = escalate(db, division, admin, one.id, NOW, note="needs the principal")
    assert escalated.state == "escalated" and "principal" in escalated.assignee_roles
    claim(db, principal, three.id, NOW)
    done, refused = bulk_dismiss(db, admin, [one.id, two.id, three.id], "spam", NOW)
    assert done == [one.id, two.id]
    assert "claimed by helena.vasquez" in refused[three.id]


@pytest.mark.parametrize("rounds", [3])
def test_concurrent_claims_exactly_one_wins(db: Database, division: Division, rounds: int) -> None:
    admin = viewer(division, WILLOW_ADMIN, "account_admin")
    principal = viewer(division, WILLOW_PRINCIPAL, "principal")
    for _ in range(rounds):
        review = routed_item(db, division, WILLOW, [("student_pii", "medium")])
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def attempt(who: Viewer) -> None:
            # both read version 1 first, then race to change it
            with db.sessions() as session:
                seen = get_item(session, who, review.id).version
            barrier.wait()
            try:
                results[who.email] = claim(db, who, review.id, NOW, version=seen).claimed_by
            except ConflictError as exc:
                results[who.email] = exc

        threads = [threading.Thread(target=attempt, args=(v,)) for v in (admin, principal)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [v for v in results.values() if isinstance(v, str)]
        losers = [v for v in results.values() if isinstance(v, ConflictError)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert "claim" in str(losers[0]) or "changed by someone else" in str(losers[0])
        with db.sessions() as session:
            row = session.get(ReviewItem, review.id)
            assert row.claimed_by == winners[0] and row.version == 2
            claims = session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'claim' AND entity_id = :i"), {"i": str(review.id)})
            assert claims == 1


def test_an_action_done_before_a_conflict_is_still_on_record(db: Database, division: Division) -> None:
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="comment", platform_id="c-race")
    admin = viewer(division, WILLOW_ADMIN, "account_admin")
    comms = viewer(division, COMMS, "communications_manager")

    class InterruptedConnector(RecordingConnector):
        def hide(self, account: AccountRef, platform_id: str) -> None:
            super().hide(account, platform_id)
            release(db, comms, review.id, NOW)  # someone else changes the item meanwhile

    RecordingConnector.calls = []
    with pytest.raises(ConflictError, match="platform action was done"):
        resolve(db, division, admin, review.id, "confirmed_hidden", "hid it", NOW, connector_for=lambda ref: InterruptedConnector())
    assert RecordingConnector.calls == [("hide", WILLOW, "c-race")]
    # the item was reserved (claimed) before the platform was touched
    assert audit_actions(db, review.id) == ["route", "claim", "release", "action_hide"]
