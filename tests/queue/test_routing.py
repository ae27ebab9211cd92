from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.config import Division
from monitor.db import Database
from monitor.models import AuditEntry, ReviewItem
from monitor.routing import RoutingConfigError, escalate_overdue, route_findings, route_for
from tests.queue.helpers import (
    COMMS, DIVISION_FB, ITS, NORTHGATE, NORTHGATE_PRINCIPAL, NOW, WILLOW, WILLOW_ADMIN, WILLOW_PRINCIPAL,
    add_item, example_division, routed_item,
)


@pytest.fixture(scope="module")
def division() -> Division:
    return example_division()


def test_comment_on_account_with_comments_on_is_due_within_24h_to_its_admins(db: Database, division: Division) -> None:
    review = routed_item(db, division, WILLOW, [("student_pii", "medium")], kind="comment")
    assert review.assignee_roles == ["account_admins"]
    assert set(review.assignee_emails) == {WILLOW_PRINCIPAL, WILLOW_ADMIN}
    assert review.due_at == NOW + timedelta(hours=24)
    assert review.urgent is False


def test_post_gets_the_default_due_time(division: Division) -> None:
    route = route_for(division, division.account(WILLOW), "post", [("personal_use", "low")])
    assert route.due_hours == 72 and route.roles == ("account_admins",)


def test_media_inquiry_goes_to_communications_within_4h_and_is_urgent(db: Database, division: Division) -> None:
    review = routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")])
    assert "communications_manager" in review.assignee_roles
    assert COMMS in review.assignee_emails
    assert review.due_at == NOW + timedelta(hours=4)
    assert review.urgent is True


def test_threat_goes_to_principal_and_communications(db: Database, division: Division) -> None:
    review = routed_item(db, division, NORTHGATE, [("harassment", "high")])
    assert {"principal", "communications_manager", "account_admins"} <= set(review.assignee_roles)
    assert {NORTHGATE_PRINCIPAL, COMMS} <= set(review.assignee_emails)
    assert review.urgent is True


def test_plain_harassment_stays_with_the_account_admins(division: Division) -> None:
    route = route_for(division, division.account(NORTHGATE), "comment", [("harassment", "medium")])
    assert route.roles == ("account_admins",) and not route.urgent


def test_confidential_goes_to_its_and_high_severity_to_communications(db: Database, division: Division) -> None:
    review = routed_item(db, division, WILLOW, [("confidential", "medium"), ("student_pii", "high")])
    assert {"its", "communications_manager", "account_admins"} == set(review.assignee_roles)
    assert ITS in review.assignee_emails and COMMS in review.assignee_emails
    assert review.severity == "high"
    assert review.category_list == ["confidential", "student_pii"]


def test_findings_of_the_same_post_are_grouped_into_one_item(db: Database, division: Division) -> None:
    with db.transaction() as session:
        item, first = add_item(session, division, WILLOW, [("student_pii", "medium")], platform_id="dup-1")
        created = route_findings(session, division, first, NOW)
        assert len(created) == 1
        from monitor.models import Finding
        later = Finding(item_id=item.id, account_id=item.account_id, category="media_inquiry", score=0.8, start=None, end=None,
                        label=None, clause="AP1311 1.5.1", severity="medium", created_at=NOW)
        session.add(later)
        session.flush()
        again = route_findings(session, division, [later], NOW + timedelta(hours=1))
        assert again == []
    with db.sessions() as session:
        rows = list(session.scalars(select(ReviewItem)))
        assert len(rows) == 1
        assert rows[0].category_list == ["media_inquiry", "student_pii"]
        assert rows[0].finding_count == 2
        # the media inquiry made it due sooner: 4 h from when it was found
        assert rows[0].due_at == NOW + timedelta(hours=5)
        actions = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions == ["route", "reroute"]


def test_division_account_threat_goes_to_the_superintendent(division: Division) -> None:
    from monitor.routing import emails_for
    assert emails_for(division, division.account(DIVISION_FB), ("principal",)) == ["gwendolyn.ashcroft@prairiehills-sd.ca"]


def test_configured_rules_add_to_the_defaults(division: Division) -> None:
    import dataclasses
    custom = dataclasses.replace(division, routing={"rules": [{"category": "student_pii", "account": WILLOW, "roles": ["principal"], "due_hours": 2}]})
    route = route_for(custom, custom.account(WILLOW), "post", [("student_pii", "low")])
    assert route.roles == ("account_admins", "principal") and route.due_hours == 2
    other = route_for(custom, custom.account(NORTHGATE), "post", [("student_pii", "low")])
    assert other.roles == ("account_admins",)


@pytest.mark.parametrize("routing, field", [
    ({"rules": [{"roles": ["janitor"]}]}, "routing.rules[0].roles"),
    ({"rules": [{"roles": [], "due_hours": -1}]}, "routing.rules[0].due_hours"),
    ({"rules": [{"roles": [], "colour": "red"}]}, "routing.rules[0].colour"),
    ({"default_due_hours": "soon"}, "routing.default_due_hours"),
])
def test_bad_routing_config_names_the_field(division: Division, routing: dict, field: str) -> None:
    import dataclasses
    custom = dataclasses.replace(division, routing=routing)
    with pytest.raises(RoutingConfigError, match=field.replace("[", r"\[").replace("]", r"\]")):
        route_for(custom, custom.account(WILLOW), "post", [("student_pii", "low")])


def test_escalation_on_a_fixed_clock(db: Database, division: Division) -> None:
    media = routed_item(db, division, NORTHGATE, [("media_inquiry", "medium")])  # due NOW + 4h
    comment = routed_item(db, division, WILLOW, [("student_pii", "medium")])  # due NOW + 24h
    with db.transaction() as session:
        assert escalate_overdue(session, division, NOW + timedelta(hours=4)) == []  # due is not overdue
    with db.transaction() as session:
        escalated = escalate_overdue(session, division, NOW + timedelta(hours=4, minutes=1))
        assert [r.id for r in escalated] == [media.id]
    with db.transaction() as session:
        # already escalated items are not escalated twice
        escalated = escalate_overdue(session, division, NOW + timedelta(hours=25))
        assert [r.id for r in escalated] == [comment.id]
    with db.sessions() as session:
        row = session.get(ReviewItem, comment.id)
        assert row.state == "escalated"
        assert {"principal", "communications_manager"} <= set(row.assignee_roles)
        assert {WILLOW_PRINCIPAL, COMMS} <= set(row.assignee_emails)
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "escalate_overdue").order_by(AuditEntry.id)))
        assert [e.entity_id for e in entries] == [str(media.id), str(comment.id)]
        assert entries[1].before["state"] == "open" and entries[1].after["state"] == "escalated"
