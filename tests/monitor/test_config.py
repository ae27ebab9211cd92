"""check-config: every kind of bad configuration is named with file, line and field, and exits non-zero."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.config import load_directory, load_division
from monitor.errors import ConfigError


def check(config_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check-config", str(config_dir)])
    return result.exit_code, result.output


def edit(path: Path, old: str, new: str) -> int:
    """Replace one occurrence and return its 1-based line number."""
    text = path.read_text()
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1))
    return line


def test_good_config_prints_a_summary(config_dir: Path) -> None:
    code, out = check(config_dir)
    assert code == 0, out
    assert "accounts   7 (1 blog, 3 facebook, 1 instagram, 1 x, 1 youtube)" in out
    assert "students   18" in out


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("    school: Cedar Valley Middle School\n", "    school: Cedar Vally Middle School\n", "accounts[cedar-valley-middle-ig].school", "unknown school 'Cedar Vally Middle School'"),
        ("    registered: 2020-02-03\n", "    registered: 2020-02-30\n", "accounts[northgate-high-fb].registered", "'2020-02-30' is not a date (YYYY-MM-DD)"),
        ("    last_password_reset: 2026-04-20\n", "    last_password_reset: last spring\n", "accounts[northgate-high-yt].last_password_reset", "'last spring' is not a date"),
        ("[desmond.holloway@prairiehills-sd.ca, lucy.thornbury", "[desmond.holloway@prairiehills-sd.ca, pat.nobody", "accounts[cedar-valley-middle-ig].administrators[1]", "pat.nobody@prairiehills-sd.ca is not in staff.csv"),
        ("[beatrice.langford@prairiehills-sd.ca, henry.calloway@prairiehills-sd.ca]", "[beatrice.langford@prairiehills-sd.ca, henry.calloway77@gmail.com]", "accounts[northgate-high-fb].administrators[1]", "personal e-mail domain"),
        ("{access_token: env:HALLWATCH_FB_WILLOW_TOKEN}", "{access_token: EAAGm0PX4ZCpsBAKZ}", "accounts.2.credentials.access_token", "a secret is written inline"),
        ("  password: env:HALLWATCH_SMTP_PASSWORD\n", "  password: hunter2\n", "smtp.password", "a secret is written inline"),
        ("    comments: false\n", "    comment: false\n", "accounts[northgate-high-yt].comment", "is not a known setting"),
        ("    platform: youtube\n", "    platform: myspace\n", "accounts[northgate-high-yt].platform", "'myspace'"),
    ],
)
def test_each_kind_of_bad_division_yaml_is_named(config_dir: Path, old: str, new: str, field: str, message: str) -> None:
    line = edit(config_dir / "division.yaml", old, new)
    code, out = check(config_dir)
    assert code == 1
    expected = f"division.yaml:{line}: {field}: "
    assert any(expected in row and message in row for row in out.splitlines()), out
    assert "EAAGm0PX4ZCpsBAKZ" not in out and "hunter2" not in out, "a secret must not be echoed back"


def test_a_duplicate_account_names_both_places(config_dir: Path) -> None:
    path = config_dir / "division.yaml"
    text = path.read_text()
    first = text[: text.index("  - name: prairie-hills-sd-x")].count("\n") + 1
    second = edit(path, "  - name: northgate-high-yt\n", "  - name: prairie-hills-sd-x\n")
    code, out = check(config_dir)
    assert code == 1
    assert f"division.yaml:{second}: accounts[prairie-hills-sd-x].name: duplicate account 'prairie-hills-sd-x' (first on line {first})" in out


def test_broken_yaml_syntax_names_the_line(config_dir: Path) -> None:
    line = edit(config_dir / "division.yaml", "    comments: true\n", "    comments: [true\n")
    code, out = check(config_dir)
    assert code == 1
    assert "division.yaml:" in out and "not valid YAML" in out
    reported = int(out.split("division.yaml:")[1].split(":")[0])
    assert line <= reported <= line + 2


@pytest.mark.parametrize(
    ("file", "old", "new", "field", "message"),
    [
        ("students.csv", "7720012,Oliver,Mbeki,Ollie,Willow Creek Elementary,4,no,", "7720012,Oliver,Mbeki,Ollie,Willow Creek Elementary,4,maybe,", "media_consent", "'maybe' must be one of yes, no, limited"),
        ("students.csv", "7720014,Noah,Fairweather,,Willow Creek Elementary,3,yes,2025-06-30", "7720014,Noah,Fairweather,,Willow Creek Elementary,3,yes,30/06/2025", "consent_expires", "'30/06/2025' is not a date (YYYY-MM-DD)"),
        ("students.csv", "7720016,Declan,Whitford,,Willow Creek Elementary,K,no,", "7720016,Declan,Whitford,,Willowcreek School,K,no,", "school", "unknown school 'Willowcreek School'"),
        ("students.csv", "7720016,Declan", "7720015,Declan", "student_id", "7720015 is already used on line"),
        ("students.csv", "7720016,Declan,Whitford,,Willow Creek Elementary,K,no,", "7720016,Declan,Whitford,,Willow Creek Elementary,14,no,", "grade", "'14' is not a grade"),
        ("staff.csv", "lucy.thornbury@prairiehills-sd.ca,Cedar Valley Middle School,teacher,true", "lucy.thornbury@prairiehills-sd.ca,Cedar Valley Middle School,janitor,true", "role", "'janitor' must be one of principal"),
        ("staff.csv", "rosa.benedetti@prairiehills-sd.ca,Northgate High School,support,true", "rosa.benedetti@prairiehills-sd.ca,Northgate High School,support,sometimes", "active", "'sometimes' must be true or false"),
        ("staff.csv", "rosa.benedetti@prairiehills-sd.ca", "rosa.benedetti-at-home", "email", "is not an e-mail address"),
    ],
)
def test_each_kind_of_bad_csv_line_is_named(config_dir: Path, file: str, old: str, new: str, field: str, message: str) -> None:
    line = edit(config_dir / file, old, new)
    code, out = check(config_dir)
    assert code == 1
    assert any(f"{file}:{line}: {field}: " in row and message in row for row in out.splitlines()), out


def test_a_staff_member_with_a_personal_address_is_refused(config_dir: Path) -> None:
    line = edit(config_dir / "staff.csv", "rosa.benedetti@prairiehills-sd.ca", "rosa.benedetti@hotmail.com")
    code, out = check(config_dir)
    assert code == 1
    assert f"staff.csv:{line}: email: rosa.benedetti@hotmail.com is a personal e-mail address" in out


def test_a_csv_with_wrong_columns_is_named(config_dir: Path) -> None:
    edit(config_dir / "students.csv", "media_consent,consent_expires", "consent,consent_expires")
    code, out = check(config_dir)
    assert code == 1
    assert "students.csv:1: missing column(s) media_consent; unknown column(s) consent" in out


def test_all_problems_are_listed_at_once(config_dir: Path) -> None:
    edit(config_dir / "division.yaml", "    registered: 2020-02-03\n", "    registered: soon\n")
    edit(config_dir / "students.csv", ",4,no,", ",4,nope,")
    code, out = check(config_dir)
    assert code == 1
    assert "2 problem(s)" in out and "division.yaml:" in out and "students.csv:" in out


def test_missing_files_are_named(tmp_path: Path) -> None:
    code, out = check(tmp_path)
    assert code == 1
    assert "division.yaml: file not found" in out


def test_load_directory_needs_only_the_two_csv_files(config_dir: Path) -> None:
    (config_dir / "division.yaml").unlink()
    directory = load_directory(config_dir)
    assert len(directory.students) == 18 and len(directory.staff) == 18
    (config_dir / "staff.csv").write_text("staff_id,first_name\n1,Ann\n")
    with pytest.raises(ConfigError, match="staff.csv:1: missing column"):
        load_directory(config_dir)


def test_credentials_resolve_from_the_environment_and_the_credentials_file(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALLWATCH_FB_WILLOW_TOKEN", "token-from-env")
    (config_dir / "credentials.env").write_text("# comment\nX_DIVISION_BEARER=bearer-from-file\n")
    division = load_division(config_dir)
    assert division.account_credentials(division.account("willow-creek-elementary-fb")) == {"access_token": "token-from-env"}
    assert division.account_credentials(division.account("prairie-hills-sd-x")) == {"bearer_token": "bearer-from-file"}
    assert division.account_credentials(division.account("northgate-high-fb")) == {}


def test_a_bad_routing_rule_is_named_by_check_config(config_dir: Path) -> None:
    with (config_dir / "division.yaml").open("a") as handle:
        handle.write("\nrouting:\n  rules:\n    - {category: student_pii, roles: [janitor], due_hours: 8}\n")
    code, out = check(config_dir)
    assert code == 1
    assert "routing.rules[0]" in out and "janitor" in out
