from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from monitor.config import load_division
from monitor.governance import audit
from monitor.runs import run_cycle, sync_accounts

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def rules(gaps, account: str) -> set[str]:
    return {g.rule for g in gaps if g.account == account}


def test_registry_rules(db, config_dir: Path) -> None:
    path = config_dir / "division.yaml"
    text = path.read_text()
    # a departed teacher instead of the principal, and no approval on record
    text = text.replace(
        "administrators: [helena.vasquez@prairiehills-sd.ca, claire.dubois@prairiehills-sd.ca]\n    content_manager: claire.dubois@prairiehills-sd.ca\n    comments: true\n    registered: 2022-09-06\n    approved: 2022-09-09\n",
        "administrators: [ruth.kimball@prairiehills-sd.ca, claire.dubois@prairiehills-sd.ca]\n    content_manager: claire.dubois@prairiehills-sd.ca\n    comments: true\n    registered: 2022-09-06\n",
    )
    path.write_text(text)
    division = load_division(config_dir)
    with db.transaction() as session:
        sync_accounts(session, division)
        gaps = audit(session, division, NOW)
    assert rules(gaps, "willow-creek-elementary-fb") >= {"registered", "two_admins", "principal_admin", "departed_admin"}
    assert "password_reset" in rules(gaps, "cedar-valley-middle-ig")  # last reset 2025-01-15
    assert "content_manager" in rules(gaps, "northgate-high-yt")
    assert rules(gaps, "prairie-hills-sd-fb") == {"comments_monitored"}  # never fetched yet
    assert all(g.clause for g in gaps)


def test_activity_rules_follow_what_the_monitor_has_seen(db, config_dir: Path, analyzer) -> None:
    division = load_division(config_dir)
    run_cycle(db, division, analyze=analyzer, now=lambda: NOW)
    with db.sessions() as session:
        fresh = audit(session, division, NOW + timedelta(hours=2))
        later = audit(session, division, NOW + timedelta(hours=30))
    assert not any(g.rule == "comments_monitored" for g in fresh)
    assert rules(later, "prairie-hills-sd-fb") == {"comments_monitored"}
    assert "comments_monitored" not in rules(later, "northgate-high-yt"), "comments are off there"
    with db.sessions() as session:
        # the sample posts are from November 2026: a year on, the accounts look abandoned
        stale = audit(session, division, NOW + timedelta(days=365))
    assert "stale" in rules(stale, "willow-creek-elementary-fb")


# --- the rules added with the queue findings (issue 12), each passing and failing from config ---

import re  # noqa: E402

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from sqlalchemy import select  # noqa: E402

from monitor.cli import main  # noqa: E402
from monitor.errors import ConfigError  # noqa: E402
from monitor.governance import file_findings, followed_students, run_governance  # noqa: E402
from monitor.models import AccountProfile, Account, AuditEntry, GovernanceFindingRow, ReviewItem, StoredItem  # noqa: E402

WILLOW = "willow-creek-elementary-fb"


def edit(config_dir: Path, old: str, new: str, name: str = "division.yaml") -> None:
    path = config_dir / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))


def gaps_now(db, config_dir: Path, now: datetime = NOW):
    division = load_division(config_dir)
    with db.transaction() as session:
        sync_accounts(session, division)
        return audit(session, division, now)


def test_the_example_division_passes_every_registry_rule_but_the_known_ones(db, config_dir: Path) -> None:
    gaps = gaps_now(db, config_dir)
    assert rules(gaps, WILLOW) == {"comments_monitored"}
    assert not any(g.rule in ("login_email", "password_after_departure", "profile_identifies", "follows_students", "comments_reviewed") for g in gaps)
    assert all(g.action for g in gaps), "every gap says what to do"


def test_login_email_missing_is_a_gap_and_a_personal_one_fails_check_config(db, config_dir: Path) -> None:
    edit(config_dir, "    login_email: social.willowcreek@prairiehills-sd.ca\n", "")
    gap = next(g for g in gaps_now(db, config_dir) if g.account == WILLOW and g.rule == "login_email")
    assert gap.clause == "AP1311 1.1.1; AP193 1.6"
    edit(config_dir, "    administrators: [helena.vasquez", "    login_email: willowcreek.school@gmail.com\n    administrators: [helena.vasquez")
    with pytest.raises(ConfigError) as caught:
        load_division(config_dir)
    assert any(p.field and p.field.endswith("login_email") and "personal" in p.message for p in caught.value.problems)
    result = CliRunner().invoke(main, ["check-config", str(config_dir)])
    assert result.exit_code == 1 and "login_email" in result.output


STAFF_HEADER = "staff_id,first_name,last_name,email,school,role,active"


def with_departed_admin(config_dir: Path, left_on: str | None, reset: str) -> None:
    """Ruth Kimball (inactive) administers Willow Creek's page beside the principal and a teacher."""
    edit(config_dir, "administrators: [helena.vasquez@prairiehills-sd.ca, claire.dubois@prairiehills-sd.ca]\n    content_manager: claire.dubois@prairiehills-sd.ca\n    comments: true\n    registered: 2022-09-06",
         "administrators: [helena.vasquez@prairiehills-sd.ca, claire.dubois@prairiehills-sd.ca, ruth.kimball@prairiehills-sd.ca]\n    content_manager: claire.dubois@prairiehills-sd.ca\n    comments: true\n    registered: 2022-09-06")
    edit(config_dir, "    last_password_reset: 2026-09-01\n", f"    last_password_reset: {reset}\n")
    if left_on is not None:
        path = config_dir / "staff.csv"
        lines = path.read_text().splitlines()
        out = [lines[0] + ",left_on"] + [line + (f",{left_on}" if "Kimball" in line else ",") for line in lines[1:]]
        path.write_text("\n".join(out) + "\n")


def test_password_reset_after_the_last_administrator_left_from_staff_csv(db, config_dir: Path) -> None:
    with_departed_admin(config_dir, "2026-10-15", "2026-09-01")
    gap = next(g for g in gaps_now(db, config_dir) if g.account == WILLOW and g.rule == "password_after_departure")
    assert "2026-10-15" in gap.message and gap.clause == "AP80-SM Account Management"
    edit(config_dir, "    last_password_reset: 2026-09-01\n", "    last_password_reset: 2026-10-16\n")
    assert "password_after_departure" not in rules(gaps_now(db, config_dir), WILLOW)
    assert "departed_admin" in rules(gaps_now(db, config_dir), WILLOW), "the departed admin must still be removed"


def test_password_reset_after_departure_from_the_audit_log_when_left_on_is_absent(db, config_dir: Path) -> None:
    with_departed_admin(config_dir, None, "2026-09-01")
    first = gaps_now(db, config_dir, NOW)  # first seen inactive today: recorded in the audit log
    assert "password_after_departure" in rules(first, WILLOW)
    with db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "staff")).one()
        assert (entry.entity_id, entry.action, entry.actor) == ("ruth.kimball@prairiehills-sd.ca", "seen_inactive", "hallwatch")
    # a week later the date is still the first sighting's: a reset after it passes, one before does not
    edit(config_dir, "    last_password_reset: 2026-09-01\n", "    last_password_reset: 2026-11-24\n")
    assert "password_after_departure" not in rules(gaps_now(db, config_dir, NOW + timedelta(days=7)), WILLOW)
    with db.sessions() as session:
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "staff")).all()) == 1


def test_left_on_is_validated(config_dir: Path) -> None:
    path = config_dir / "staff.csv"
    lines = path.read_text().splitlines()
    out = [lines[0] + ",left_on"] + [line + (",2026-13-40" if "Kimball" in line else ",2026-01-01" if "Okafor" in line else ",") for line in lines[1:]]
    path.write_text("\n".join(out) + "\n")
    with pytest.raises(ConfigError) as caught:
        load_division(config_dir)
    found = {(p.line, p.field): p.message for p in caught.value.problems}
    kimball = next(i for i, line in enumerate(out, 1) if "Kimball" in line)
    okafor = next(i for i, line in enumerate(out, 1) if "Okafor" in line)
    assert "not a date" in found[(kimball, "left_on")]
    assert "active is true" in found[(okafor, "left_on")]


def add_comment(session, account_id: int, posted: datetime, seen_after: timedelta | None, flagged: bool = False, acted_after: timedelta | None = None) -> None:
    item = StoredItem(account_id=account_id, platform="facebook", platform_id=f"c{posted.timestamp()}-{seen_after}-{flagged}-{acted_after}", kind="comment",
                      author_name="A Parent", text="Nice!", created_at=posted, first_seen_at=posted + timedelta(minutes=5),
                      classified_at=posted + seen_after if seen_after is not None else None)
    session.add(item)
    session.flush()
    if flagged:
        session.add(ReviewItem(item_id=item.id, account_id=account_id, due_at=posted + timedelta(hours=24), categories=",harassment,",
                               state="resolved" if acted_after else "open", active=acted_after is None,
                               resolved_at=posted + acted_after if acted_after else None))


def test_comments_reviewed_within_24_hours_over_7_and_30_days(db, config_dir: Path) -> None:
    division = load_division(config_dir)
    with db.transaction() as session:
        accounts = sync_accounts(session, division)
        willow = accounts[WILLOW].id
        for day in range(2, 6):  # four comments this week, seen within minutes, one flagged and resolved in 3 h
            add_comment(session, willow, NOW - timedelta(days=day), timedelta(minutes=10), flagged=day == 2, acted_after=timedelta(hours=3) if day == 2 else None)
    with db.transaction() as session:
        assert "comments_reviewed" not in rules(audit(session, division, NOW), WILLOW)
    with db.transaction() as session:
        # a flagged comment left open for days, and one the pipeline only saw two days late
        add_comment(session, willow, NOW - timedelta(days=3, hours=1), timedelta(minutes=1), flagged=True)
        add_comment(session, willow, NOW - timedelta(days=20), timedelta(days=2))
    with db.transaction() as session:
        gap = next(g for g in audit(session, division, NOW) if g.account == WILLOW and g.rule == "comments_reviewed")
    assert "4 of 5 comments (80%) in the last 7 days" in gap.message
    assert "4 of 6 comments (67%) in the last 30 days" in gap.message
    assert gap.clause == "AP1311 1.4.3"
    with db.transaction() as session:
        # comments off: the rule does not apply (northgate-high-yt)
        assert "comments_reviewed" not in rules(audit(session, division, NOW), "northgate-high-yt")


def set_profile(db, division, account: str, **values) -> None:
    with db.transaction() as session:
        row = sync_accounts(session, division)[account]
        profile = session.get(AccountProfile, row.id) or AccountProfile(account_id=row.id)
        for key, value in {"fetched_at": NOW, "error": None, **values}.items():
            setattr(profile, key, value)
        session.add(profile)


def test_profile_names_the_school_and_links_to_its_website(db, config_dir: Path) -> None:
    division = load_division(config_dir)
    set_profile(db, division, WILLOW, name="Willow Creek Elementary School", description="News from our school", website="https://willowcreek.prairiehills-sd.ca/")
    set_profile(db, division, "prairie-hills-sd-fb", name="Prairie Hills School Division", description="", website="https://www.prairiehills-sd.ca")
    with db.sessions() as session:
        gaps = audit(session, division, NOW)
    assert "profile_identifies" not in rules(gaps, WILLOW) | rules(gaps, "prairie-hills-sd-fb")
    # the division's name instead of the school's, and a link to a personal site
    set_profile(db, division, WILLOW, name="Prairie Hills SD", description="Go team!", website="https://myblog.example.com")
    with db.sessions() as session:
        gap = next(g for g in audit(session, division, NOW) if g.account == WILLOW and g.rule == "profile_identifies")
    assert "do not name Willow Creek Elementary" in gap.message and "myblog.example.com" in gap.message
    assert gap.clause == "AP1311 1.2.4; AP193 1.3; AP146 1a"
    set_profile(db, division, WILLOW, name="Willow Creek Elementary", website=None)
    with db.sessions() as session:
        gap = next(g for g in audit(session, division, NOW) if g.account == WILLOW and g.rule == "profile_identifies")
    assert gap.message == "the profile has no website link"


def test_following_a_student_is_a_gap(db, config_dir: Path) -> None:
    division = load_division(config_dir)
    set_profile(db, division, WILLOW, name="Willow Creek Elementary", website="https://willowcreek.prairiehills-sd.ca", followed_checked=40, followed_students=0)
    with db.sessions() as session:
        assert "follows_students" not in rules(audit(session, division, NOW), WILLOW)
    set_profile(db, division, WILLOW, followed_students=2)
    with db.sessions() as session:
        gap = next(g for g in audit(session, division, NOW) if g.account == WILLOW and g.rule == "follows_students")
    assert gap.clause == "AP146 3g; AP1311 1.2.1.2" and "2 account(s)" in gap.message


def test_followed_accounts_match_roster_students_by_name_or_handle(config_dir: Path) -> None:
    from classifiers.roster import Roster

    roster = Roster.build(load_division(config_dir).directory)
    followed = [
        ("Harper Lindqvist", "hl_2015"),        # the name
        ("H.", "harper_lindqvist"),             # the handle
        ("Ollie Mbeki", "ollie"),               # a preferred name
        ("Noah Fairweather-Smith", "nfs"),      # the full name inside a longer one
        ("Edmonton Public Library", "epl"),
        ("Harper", "harper"),                   # a first name alone is not a match
    ]
    assert followed_students(roster, followed) == 4


def test_a_gap_closes_itself_and_opens_again_when_it_comes_back(db, config_dir: Path) -> None:
    division = load_division(config_dir)
    gaps, filing = run_governance(db, division, NOW)
    assert filing.opened and not filing.closed
    with db.sessions() as session:
        yt = session.scalars(select(ReviewItem).join(GovernanceFindingRow, ReviewItem.governance_id == GovernanceFindingRow.id)
                             .join(Account, Account.id == GovernanceFindingRow.account_id)
                             .where(Account.name == "northgate-high-yt", GovernanceFindingRow.rule == "content_manager")).one()
        assert yt.item_id is None and yt.state == "open" and yt.category_list == ["governance"]
        assert set(yt.assignee_roles) == {"account_admins", "its"}
        assert {"beatrice.langford@prairiehills-sd.ca", "kwame.asante@prairiehills-sd.ca", "tessa.nakamura@prairiehills-sd.ca", "owen.brightwater@prairiehills-sd.ca"} == set(yt.assignee_emails)
        first_id = yt.id
    # the same audit again: nothing new, nothing closed
    _, again = run_governance(db, division, NOW + timedelta(hours=1))
    assert not again.opened and first_id in again.still_open
    # the content manager is named: the next audit closes the item, as done by hallwatch
    edit(config_dir, "    administrators: [beatrice.langford@prairiehills-sd.ca, kwame.asante@prairiehills-sd.ca]\n",
         "    administrators: [beatrice.langford@prairiehills-sd.ca, kwame.asante@prairiehills-sd.ca]\n    content_manager: kwame.asante@prairiehills-sd.ca\n")
    _, fixed = run_governance(db, load_division(config_dir), NOW + timedelta(days=1))
    assert first_id in fixed.closed
    with db.sessions() as session:
        closed = session.get(ReviewItem, first_id)
        assert (closed.state, closed.active, closed.resolved_by, closed.outcome) == ("resolved", False, "hallwatch", "gap_closed")
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(first_id), AuditEntry.action == "resolve")).one()
        assert entry.actor == "hallwatch" and entry.after["state"] == "resolved"
    # and it comes back: a new item, the closed one stays closed
    edit(config_dir, "    content_manager: kwame.asante@prairiehills-sd.ca\n", "")
    _, back = run_governance(db, load_division(config_dir), NOW + timedelta(days=2))
    with db.sessions() as session:
        rows = session.scalars(select(GovernanceFindingRow).join(Account).where(Account.name == "northgate-high-yt", GovernanceFindingRow.rule == "content_manager")
                               .order_by(GovernanceFindingRow.id)).all()
        assert [r.resolved_at is None for r in rows] == [False, True]
        new = session.scalars(select(ReviewItem).where(ReviewItem.governance_id == rows[1].id)).one()
        assert new.id in back.opened and new.id != first_id and new.active


def test_file_findings_leaves_other_accounts_gaps_alone(db, config_dir: Path) -> None:
    division = load_division(config_dir)
    with db.transaction() as session:
        sync_accounts(session, division)
        gaps = audit(session, division, NOW)
        filing = file_findings(session, division, gaps, NOW)
    assert len(filing.opened) == len(gaps)
    with db.transaction() as session:
        # an audit that found only one account's gaps closes the rest, never invents or duplicates
        closing = file_findings(session, division, [g for g in gaps if g.account == WILLOW], NOW)
    assert len(closing.closed) == len([g for g in gaps if g.account != WILLOW])
    assert not closing.opened


def test_governance_command_files_findings_and_keeps_its_report_and_exit_status(config_dir: Path, use_db_env, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["governance", "--config", str(config_dir), "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1, result.output
    assert re.search(r"northgate-high-yt\s+content_manager\s+no designated content manager\s+\[AP193 1.7, 3.4\]", result.output)
    assert "review queue: " in result.output and " new, 0 still open, 0 closed" in result.output
    again = runner.invoke(main, ["governance", "--config", str(config_dir), "--data-dir", str(tmp_path / "data")])
    assert " 0 new, " in again.output and again.exit_code == 1
    # the ITS administrator sees the account-level item in `queue show`: rule, clause, reason, what to do; no text or link
    added = runner.invoke(main, ["users", "add", "--config", str(config_dir), "--data-dir", str(tmp_path / "data"), "tessa.nakamura@prairiehills-sd.ca", "--role", "its_admin", "--password-stdin"], input="correct horse battery\n")
    assert added.exit_code == 0, added.output
    listing = runner.invoke(main, ["queue", "list", "--config", str(config_dir), "--data-dir", str(tmp_path / "data"), "--as", "tessa.nakamura@prairiehills-sd.ca", "--category", "governance"])
    assert listing.exit_code == 0, listing.output
    item_id = next(line.split()[0] for line in listing.output.splitlines() if "northgate-high-yt" in line)
    assert "why: no designated content manager" in listing.output
    shown = runner.invoke(main, ["queue", "show", "--config", str(config_dir), "--data-dir", str(tmp_path / "data"), "--as", "tessa.nakamura@prairiehills-sd.ca", item_id])
    assert shown.exit_code == 0, shown.output
    assert "the account itself" in shown.output and "rule:       content_manager" in shown.output
    assert "clause:     AP193 1.7, 3.4" in shown.output and "what to do: Name the account's content manager" in shown.output
    assert "text:" not in shown.output and "link:" not in shown.output
    refused = runner.invoke(main, ["queue", "resolve", "--config", str(config_dir), "--data-dir", str(tmp_path / "data"), "--as", "tessa.nakamura@prairiehills-sd.ca", item_id, "--outcome", "dismissed"])
    assert refused.exit_code == 1 and "closes itself" in refused.output


def test_profiles_are_fetched_daily_and_feed_the_profile_and_follows_rules(db, config_dir: Path) -> None:
    """A real XConnector over the recorded profile and following (cassettes/x/profile_and_following.yaml)."""
    from connectors.ratelimit import Throttle
    from connectors.x import XConnector
    from monitor.governance import refresh_profiles
    from tests.connectors.conftest import VCR

    edit(config_dir, "    handle: PrairieHillsSD\n", '    handle: "4400000001"\n')
    edit(config_dir, "    sample_file: samples/prairie-hills-sd-x.jsonl\n", "")
    (config_dir / "credentials.env").write_text("X_DIVISION_BEARER=AAAAfakebearer\n")
    division = load_division(config_dir)
    from connectors.registry import get_connector
    with db.transaction() as session:
        sync_accounts(session, division)
    connector = XConnector(Throttle(sleep=lambda s: None, rand=lambda: 0.0, now=lambda: 1709649990.0))
    with VCR.use_cassette("x/profile_and_following.yaml", allow_playback_repeats=False) as cas:
        fetched = refresh_profiles(db, division, NOW, connector_for=lambda ref: connector if ref.platform == "x" and not ref.options.get("sample_file") else get_connector(ref))
        assert cas.all_played
    assert fetched == 1, "only the X account has a real connector here; the sample-file accounts have no profile"
    with db.sessions() as session:
        row = session.scalars(select(AccountProfile).join(Account).where(Account.name == "prairie-hills-sd-x")).one()
        assert (row.name, row.website, row.followed_checked, row.followed_students) == ("Maple Grove School", "https://maplegrove.example-sd.ca", 4, 2)
        gaps = audit(session, division, NOW)
    # the profile names another school and links elsewhere; two followed accounts are students
    assert {"profile_identifies", "follows_students"} <= rules(gaps, "prairie-hills-sd-x")
    # within a day nothing is fetched again (no cassette: a request would fail the test)
    with VCR.use_cassette("x/profile_and_following.yaml", allow_playback_repeats=False) as cas:
        assert refresh_profiles(db, division, NOW + timedelta(hours=23), connector_for=lambda ref: connector if ref.platform == "x" and not ref.options.get("sample_file") else get_connector(ref)) == 0
        assert cas.play_count == 0


def test_a_profile_that_could_not_be_fetched_leaves_its_gap_open(db, config_dir: Path) -> None:
    division = load_division(config_dir)
    set_profile(db, division, WILLOW, name="Go team", description="", website="https://www.willowcreek.prairiehills-sd.ca", followed_students=1, followed_checked=10)
    _, first = run_governance(db, division, NOW)
    with db.sessions() as session:
        open_rules = {r.rule for r in session.scalars(select(GovernanceFindingRow).join(Account).where(Account.name == WILLOW, GovernanceFindingRow.resolved_at.is_(None)))}
    assert {"profile_identifies", "follows_students"} <= open_rules
    # the next fetch fails (a token expired): nothing is known of the profile, so nothing closes
    set_profile(db, division, WILLOW, error="account willow-creek-elementary-fb: token rejected", followed_students=None)
    run_governance(db, division, NOW + timedelta(days=1))
    with db.sessions() as session:
        still = {r.rule for r in session.scalars(select(GovernanceFindingRow).join(Account).where(Account.name == WILLOW, GovernanceFindingRow.resolved_at.is_(None)))}
    assert {"profile_identifies", "follows_students"} <= still
    # fixed and fetched again: both close
    set_profile(db, division, WILLOW, name="Willow Creek Elementary", error=None, followed_students=0)
    run_governance(db, division, NOW + timedelta(days=2))
    with db.sessions() as session:
        after = {r.rule for r in session.scalars(select(GovernanceFindingRow).join(Account).where(Account.name == WILLOW, GovernanceFindingRow.resolved_at.is_(None)))}
    assert not {"profile_identifies", "follows_students"} & after


def test_password_reset_after_an_administrator_was_taken_off_the_registry(db, config_dir: Path) -> None:
    """Removing a departed administrator from division.yaml (as one should) still asks for a new password."""
    with_departed_admin(config_dir, None, "2026-09-01")
    gaps_now(db, config_dir, NOW)  # the registry as it was: recorded
    edit(config_dir, "claire.dubois@prairiehills-sd.ca, ruth.kimball@prairiehills-sd.ca]", "claire.dubois@prairiehills-sd.ca]")
    later = NOW + timedelta(days=3)
    gaps = gaps_now(db, config_dir, later)
    assert "departed_admin" not in rules(gaps, WILLOW)
    gap = next(g for g in gaps if g.account == WILLOW and g.rule == "password_after_departure")
    assert "left on 2026-11-26" in gap.message  # the day the audit saw the removal
    with db.sessions() as session:
        changes = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "account_registry", AuditEntry.entity_id == WILLOW).order_by(AuditEntry.id)).all()
        assert [c.before for c in changes] == [None, {"administrators": sorted(["helena.vasquez@prairiehills-sd.ca", "claire.dubois@prairiehills-sd.ca", "ruth.kimball@prairiehills-sd.ca"])}]
    edit(config_dir, "    last_password_reset: 2026-09-01\n", "    last_password_reset: 2026-11-27\n")
    assert "password_after_departure" not in rules(gaps_now(db, config_dir, later + timedelta(days=1)), WILLOW)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_audits_at_once_open_each_gap_once(db_url: str, config_dir: Path) -> None:
    import threading

    from monitor.db import Database

    division = load_division(config_dir)
    start, errors = threading.Barrier(2), []

    def run() -> None:
        database = Database(db_url)
        try:
            start.wait()
            run_governance(database, division, NOW)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    database = Database(db_url)
    try:
        with database.sessions() as session:
            rows = session.scalars(select(GovernanceFindingRow).where(GovernanceFindingRow.resolved_at.is_(None))).all()
            keys = [(r.account_id, r.rule) for r in rows]
            assert keys and len(keys) == len(set(keys))
            assert len(session.scalars(select(ReviewItem).where(ReviewItem.item_id.is_(None))).all()) == len(keys)
    finally:
        database.dispose()
