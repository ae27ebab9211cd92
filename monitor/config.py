"""The division's configuration: division.yaml, students.csv and staff.csv in one folder.

`load_division(DIR)` validates all three and raises ConfigError listing every problem with file,
line and field; nothing is half-loaded. Secrets are never written in the YAML: a credential is
`env:NAME` (an environment variable) or `file:KEY` (a key in the credentials file).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from classifiers.directory import ROLES as STAFF_ROLES
from classifiers.directory import Directory, StaffMember
from classifiers.findings import CATEGORIES
from connectors.registry import PLATFORMS as CONNECTED_PLATFORMS
from monitor import yamlfile
from monitor.errors import ConfigError, Problem, UnknownAccount
from monitor.roster import PERSONAL_DOMAINS, read_staff, read_students

DIVISION_FILE, STUDENTS_FILE, STAFF_FILE = "division.yaml", "students.csv", "staff.csv"
PLATFORMS = ("facebook", "x", "instagram", "youtube", "blog")
# keys whose values are secrets wherever they appear in division.yaml
SECRET_KEYS = {"password", "token", "access_token", "bearer_token", "app_secret", "client_secret", "api_key", "secret", "consumer_secret", "access_token_secret", "verify_token", "app_password"}
# the credential name the systemd units give the credentials file (LoadCredential=credentials.env:PATH)
SYSTEMD_CREDENTIAL = "credentials.env"
SECRET_REF = re.compile(r"^(env|file):[A-Za-z_][A-Za-z0-9_]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DivisionSettings(_Model):
    name: str
    email_domain: str
    office_name: str = "Division Office"
    base_url: str = "http://127.0.0.1:8080"
    data_dir: str | None = None
    credentials_file: str | None = None
    timezone: str = "America/Edmonton"
    # the division's own website: what division-wide accounts' profiles link to
    website: str | None = None


class School(_Model):
    name: str
    office_phone: str | None = None
    office_email: str | None = None
    office_address: str | None = None
    # what the school's accounts' profiles must link to (AP1311 1.2.4, AP193 1.3, AP146 1a)
    website: str | None = None


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DigestSettings(_Model):
    """When the weekly digest goes out, in the division's time zone (monitor.digest)."""

    enabled: bool = True
    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    time: str = Field(default="07:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    # a claim older than this is taken to be a crashed sender's, and may be claimed again
    claim_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)

    @property
    def hour_minute(self) -> tuple[int, int]:
        hour, _, minute = self.time.partition(":")
        return int(hour), int(minute)


class SessionSettings(_Model):
    """How long a web sign-in lasts (monitor.web.auth): ended after `idle_minutes` without a
    request, and after `lifetime_hours` whatever happens, so a shared or stolen browser does not stay in."""

    idle_minutes: int = Field(default=8 * 60, ge=5, le=7 * 24 * 60)
    lifetime_hours: int = Field(default=12, ge=1, le=30 * 24)


class SmtpSettings(_Model):
    host: str | None = None
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    from_address: str = "hallwatch@localhost"


class XBilling(_Model):
    """X bills API reads per post (since 2026). The default price is a placeholder: the division must
    check its X developer plan and write its own price here. `monthly_budget` (per account, in
    `currency`; none: no limit) stops reading an account for the rest of the month once reached."""

    price_per_post_read: float = Field(default=0.005, ge=0)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    monthly_budget: float | None = Field(default=None, ge=0)


class AccountConfig(_Model):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    platform: Literal[
        "facebook", "x", "instagram", "youtube", "blog",
        "flickr",
        "pinterest",
        "mediawiki",
        "threads",
        "linkedin",
        "bluesky",
        "mastodon",
        "snapchat",  # registered for the governance audit only (fetch: false): no API for its messages
        "other",  # instant messaging and anything else with no API: fetch: false
    ]
    handle: str
    school: str | None = None
    administrators: list[str]
    content_manager: str | None = None
    # the address the platform account is registered with: a work address (AP1311 1.1.1, AP193 1.6)
    login_email: str | None = None
    comments: bool = False
    registered: date | None = None
    approved: date | None = None
    last_password_reset: date | None = None
    poll_minutes: int = Field(default=60, ge=5, le=7 * 24 * 60)
    credentials: dict[str, str] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)
    # a local file of items instead of the platform API: the demo, and back-audits of exports
    sample_file: str | None = None
    # false: registered (the governance audit covers it) but never fetched, for platforms with no
    # API for their messages (Snapchat, instant messaging); `status` says it is not monitored
    fetch: bool = True
    # an X account's own monthly read budget (in x_billing.currency), instead of x_billing.monthly_budget
    x_monthly_budget: float | None = Field(default=None, ge=0)

    @field_validator("handle", mode="before")
    @classmethod
    def _handle_as_text(cls, value: Any) -> Any:
        # page ids are numbers in YAML unless quoted; they are identifiers, not quantities
        return str(value) if isinstance(value, int) else value


# staff.csv role -> queue role for single sign-on; a principal sees their own school's accounts
# (monitor.users.visible_accounts), an account_admin the accounts that name them administrator
DEFAULT_SSO_ROLES = {
    "its": "its_admin", "communications": "communications_manager", "principal": "principal",
    "vice_principal": "account_admin", "teacher": "account_admin", "support": "account_admin",
}
# a tenant id, never "common"/"organizations": only the division's own directory may sign in
TENANT_ID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class SsoProvider(_Model):
    """One identity provider for "Sign in with ..." (monitor.web.sso): Entra ID, Google or any OIDC issuer.

    The redirect URI to register with it is `{base_url}/auth/{name}/callback`."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    kind: Literal["entra", "google", "oidc"]
    client_id: str = Field(min_length=1, max_length=300)
    # env:NAME or file:KEY (checked with every other secret in the file by _check_inline_secrets)
    client_secret: str
    # entra: the division's tenant (a GUID); the issuer is then https://login.microsoftonline.com/{tenant_id}/v2.0
    tenant_id: str | None = Field(default=None, pattern=TENANT_ID)
    # google: https://accounts.google.com by default; oidc: required; entra: only for national clouds
    issuer: str | None = Field(default=None, pattern=r"^https?://[^\s?#]+$")
    # the e-mail domains (and for Google the Workspace hosted domains) allowed in; default: division.email_domain
    allowed_domains: list[str] = Field(default_factory=list)
    label: str | None = Field(default=None, max_length=60)

    def issuer_url(self) -> str:
        if self.issuer:
            return self.issuer.rstrip("/")
        if self.kind == "entra":
            return f"https://login.microsoftonline.com/{self.tenant_id}/v2.0"
        return "https://accounts.google.com"

    @property
    def button(self) -> str:
        return self.label or {"entra": "Microsoft", "google": "Google"}.get(self.kind, self.name)


class SsoSettings(_Model):
    providers: list[SsoProvider] = Field(default_factory=list)
    # staff.csv role -> queue role; staff whose role is not here are not let in by single sign-on
    roles: dict[str, Literal["its_admin", "communications_manager", "principal", "account_admin"]] = Field(
        default_factory=lambda: dict(DEFAULT_SSO_ROLES))
class RetentionRule(_Model):
    """How long items' text and media are kept (monitor.records.retention); null keeps them.

    `without_findings_days`: items no classifier flagged and no review item holds, counted from
    when they were posted; `resolved_days`: items whose review item is resolved, counted from the
    resolution. Open review items are never purged.
    """

    without_findings_days: int | None = Field(default=None, ge=1, le=100 * 366)
    resolved_days: int | None = Field(default=None, ge=1, le=100 * 366)


class RetentionSettings(_Model):
    """`retention:` in division.yaml: a default rule, per-account rules over it, and per-category
    periods for resolved items (the longest of an item's categories wins). Without the section
    nothing is ever purged."""

    default: RetentionRule = RetentionRule()
    accounts: dict[str, RetentionRule] = Field(default_factory=dict)
    # category -> days a resolved item with a finding of that category is kept
    categories: dict[str, int] = Field(default_factory=dict)
    batch_size: int = Field(default=200, ge=1, le=10000)


class DivisionFile(_Model):
    division: DivisionSettings
    schools: list[School]
    accounts: list[AccountConfig]
    smtp: SmtpSettings = SmtpSettings()
    routing: dict[str, Any] = Field(default_factory=dict)
    digest: DigestSettings = DigestSettings()
    x_billing: XBilling = XBilling()
    sessions: SessionSettings = SessionSettings()
    sso: SsoSettings = SsoSettings()
    retention: RetentionSettings = RetentionSettings()


@dataclass(frozen=True)
class Division:
    """Everything hallwatch knows of the division, validated."""

    directory_path: Path
    settings: DivisionSettings
    schools: list[School]
    accounts: list[AccountConfig]
    smtp: SmtpSettings
    routing: dict[str, Any]
    directory: Directory
    digest: DigestSettings = DigestSettings()
    x_billing: XBilling = XBilling()
    sessions: SessionSettings = SessionSettings()
    sso: SsoSettings = SsoSettings()
    retention: RetentionSettings = RetentionSettings()

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def email_domain(self) -> str:
        return self.settings.email_domain

    @property
    def staff(self) -> list[StaffMember]:
        return self.directory.staff

    @property
    def base_url(self) -> str:
        return self.settings.base_url.rstrip("/")

    def account(self, name: str) -> AccountConfig:
        for account in self.accounts:
            if account.name == name:
                return account
        raise UnknownAccount(f"no account named {name!r} in {self.directory_path / DIVISION_FILE}")

    def staff_by_email(self, email: str) -> StaffMember | None:
        email = email.lower()
        return next((s for s in self.staff if s.email == email), None)

    def staff_with_role(self, *roles: str, school: str | None = None) -> list[StaffMember]:
        return [s for s in self.staff if s.active and s.role in roles and (school is None or s.school == school)]

    def credentials_file(self) -> Path | None:
        """Under systemd, the copy LoadCredential= hands over ($CREDENTIALS_DIRECTORY/credentials.env,
        readable by this service only); else division.credentials_file."""
        directory = os.environ.get("CREDENTIALS_DIRECTORY")
        if directory and (Path(directory) / SYSTEMD_CREDENTIAL).is_file():
            return Path(directory) / SYSTEMD_CREDENTIAL
        if not self.settings.credentials_file:
            return None
        return (self.directory_path / self.settings.credentials_file).resolve()

    def secret(self, reference: str) -> str | None:
        """The value behind `env:NAME` or `file:KEY`; None when it is not set."""
        kind, _, key = reference.partition(":")
        if kind == "env":
            return os.environ.get(key)
        path = self.credentials_file()
        return read_credentials_file(path).get(key) if path else None

    def account_credentials(self, account: AccountConfig) -> dict[str, str]:
        return {name: value for name, ref in account.credentials.items() if (value := self.secret(ref)) is not None}

    def smtp_password(self) -> str | None:
        return self.secret(self.smtp.password) if self.smtp.password else None

    def data_dir(self, override: Path | None = None) -> Path:
        if override is not None:
            return override
        if os.environ.get("HALLWATCH_DATA_DIR"):
            return Path(os.environ["HALLWATCH_DATA_DIR"])
        if self.settings.data_dir:
            return (self.directory_path / self.settings.data_dir).resolve()
        return Path("var")

    def sample_path(self, account: AccountConfig) -> Path | None:
        return (self.directory_path / account.sample_file).resolve() if account.sample_file else None


def read_credentials_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (blank lines and # comments allowed), as systemd's EnvironmentFile."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return values
    for raw in lines:
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def load_directory(config_dir: Path, schools: set[str] | None = None) -> Directory:
    """students.csv and staff.csv alone (what `hallwatch classify` needs); raises ConfigError."""
    problems: list[Problem] = []
    directory = _read_directory(config_dir, schools, problems)
    if problems:
        raise ConfigError(problems)
    return directory


def _read_directory(config_dir: Path, schools: set[str] | None, problems: list[Problem]) -> Directory:
    if not config_dir.is_dir():
        problems.append(Problem(str(config_dir), None, None, "is not a folder"))
        return Directory()
    students = read_students(config_dir / STUDENTS_FILE, schools, problems)
    staff = read_staff(config_dir / STAFF_FILE, schools, problems)
    return Directory(students=students, staff=staff)


def load_division(config_dir: Path) -> Division:
    """division.yaml, students.csv and staff.csv, cross-checked; raises ConfigError with every problem."""
    path = config_dir / DIVISION_FILE
    problems: list[Problem] = []
    if not config_dir.is_dir():
        raise ConfigError([Problem(str(config_dir), None, None, "is not a folder")])
    try:
        raw = yamlfile.load(path)
    except FileNotFoundError:
        raise ConfigError([Problem(DIVISION_FILE, None, None, f"file not found ({path})")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise ConfigError([Problem(DIVISION_FILE, line, None, f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    if not isinstance(raw, dict):
        raise ConfigError([Problem(DIVISION_FILE, 1, None, "must be a mapping with division, schools and accounts")])

    _check_inline_secrets(raw, (), problems)
    parsed: DivisionFile | None = None
    try:
        parsed = DivisionFile.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            problems.append(Problem(DIVISION_FILE, yamlfile.line_of(raw, loc), _field_name(raw, loc), _message(error)))

    school_names = {s.get("name") for s in raw.get("schools") or [] if isinstance(s, dict)}
    office = (raw.get("division") or {}).get("office_name", "Division Office") if isinstance(raw.get("division"), dict) else "Division Office"
    directory = _read_directory(config_dir, {n for n in school_names if n} | {office}, problems)
    if parsed is not None:
        _cross_check(parsed, raw, directory, problems)
    if problems:
        raise ConfigError(problems)
    assert parsed is not None
    directory.account_schools = {a.name: a.school for a in parsed.accounts if a.school}
    directory.office_contacts = [c for s in parsed.schools for c in (s.office_phone, s.office_email, s.office_address) if c]
    return Division(config_dir.resolve(), parsed.division, parsed.schools, parsed.accounts, parsed.smtp, parsed.routing, directory,
                    digest=parsed.digest, x_billing=parsed.x_billing, sessions=parsed.sessions, sso=parsed.sso, retention=parsed.retention)


def _field_name(raw: Any, loc: tuple[Any, ...]) -> str:
    """accounts[2].registered, or accounts[maple-ridge-fb].registered when the account has a name."""
    parts: list[str] = []
    node = raw
    for part in loc:
        if isinstance(part, int):
            name = node[part].get("name") if isinstance(node, list) and part < len(node) and isinstance(node[part], dict) else None
            parts[-1] += f"[{name}]" if name else f"[{part}]"
        else:
            parts.append(str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts)


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known setting (check the spelling)"
    if kind.startswith("date"):
        return f"{value!r} is not a date (YYYY-MM-DD)"
    return f"{value!r}: {error['msg']}" if value is not None and not isinstance(value, (dict, list)) else error["msg"]


def _check_inline_secrets(node: Any, path: tuple[Any, ...], problems: list[Problem]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            here = path + (key,)
            under_credentials = "credentials" in path[-1:] or key in SECRET_KEYS
            if under_credentials and isinstance(value, (str, int)) and not SECRET_REF.match(str(value)):
                problems.append(Problem(
                    DIVISION_FILE, yamlfile.line_of(node, (key,)), ".".join(map(str, here)),
                    "a secret is written inline; write env:VARIABLE or file:KEY and keep the value in the environment or the credentials file",
                ))
            else:
                _check_inline_secrets(value, here, problems)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_inline_secrets(value, path + (index,), problems)


def _cross_check(parsed: DivisionFile, raw: dict[str, Any], directory: Directory, problems: list[Problem]) -> None:
    domain = parsed.division.email_domain.lower()
    schools = {s.name for s in parsed.schools}
    staff = {s.email: s for s in directory.staff}
    seen: dict[str, int] = {}

    def problem(index: int, key: str, message: str, sub: int | None = None) -> None:
        loc: tuple[Any, ...] = ("accounts", index, key) if sub is None else ("accounts", index, key, sub)
        problems.append(Problem(DIVISION_FILE, yamlfile.line_of(raw, loc), _field_name(raw, loc), message))

    websites: list[tuple[tuple[Any, ...], str | None]] = [(("division", "website"), parsed.division.website)]
    websites += [(("schools", i, "website"), s.website) for i, s in enumerate(parsed.schools)]
    for loc, url in websites:
        if url and not re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", url):
            problems.append(Problem(DIVISION_FILE, yamlfile.line_of(raw, loc), _field_name(raw, loc), f"{url!r} is not a web address (https://...)"))

    for i, account in enumerate(parsed.accounts):
        if account.name in seen:
            problem(i, "name", f"duplicate account {account.name!r} (first on line {seen[account.name]})")
        seen.setdefault(account.name, yamlfile.line_of(raw, ("accounts", i, "name")) or 0)
        if account.school is not None and account.school not in schools:
            problem(i, "school", f"unknown school {account.school!r} (schools: {', '.join(sorted(schools))})")
        for j, email in enumerate(account.administrators):
            problem_text = _email_problem(email, domain)
            if problem_text:
                problem(i, "administrators", problem_text, j)
            elif email.lower() not in staff:
                problem(i, "administrators", f"{email} is not in {STAFF_FILE}", j)
        if account.content_manager:
            problem_text = _email_problem(account.content_manager, domain)
            if problem_text:
                problem(i, "content_manager", problem_text)
        if account.login_email:
            problem_text = _email_problem(account.login_email, domain)
            if problem_text:
                problem(i, "login_email", problem_text.replace("administrators use", "accounts are registered with"))
        if account.fetch and not account.sample_file and account.platform not in CONNECTED_PLATFORMS:
            problem(i, "platform", f"account {account.name}: hallwatch has no connector for {account.platform!r} and cannot read it; "
                    "register it with fetch: false so the governance audit still covers it")
        if account.registered and account.approved and account.approved < account.registered:
            problem(i, "approved", "is earlier than the registration date")
    _check_sso(parsed, raw, problems)
    _check_retention(parsed, raw, problems)


def _check_sso(parsed: DivisionFile, raw: dict[str, Any], problems: list[Problem]) -> None:
    """What pydantic cannot see alone: a tenant for Entra ID, an issuer for generic OIDC, unique names."""
    seen: set[str] = set()
    known_roles = set(STAFF_ROLES)

    def problem(loc: tuple[Any, ...], message: str) -> None:
        problems.append(Problem(DIVISION_FILE, yamlfile.line_of(raw, loc), _field_name(raw, loc), message))

    for i, provider in enumerate(parsed.sso.providers):
        at = ("sso", "providers", i)
        if provider.name in seen:
            problem((*at, "name"), f"duplicate provider {provider.name!r}")
        seen.add(provider.name)
        if provider.kind == "entra" and not provider.tenant_id:
            problem((*at, "kind"), "entra needs tenant_id: the Directory (tenant) ID of the division's Microsoft 365 tenant")
        if provider.kind == "entra" and provider.issuer and provider.tenant_id and provider.tenant_id.lower() not in provider.issuer.lower():
            problem((*at, "issuer"), "an Entra ID issuer must be the division's own tenant's (…/{tenant_id}/v2.0)")
        if provider.kind != "entra" and provider.tenant_id:
            problem((*at, "tenant_id"), "only for kind: entra")
        if provider.kind == "oidc" and not provider.issuer:
            problem((*at, "issuer"), "kind oidc needs the issuer (its /.well-known/openid-configuration is read)")
        for j, domain in enumerate(provider.allowed_domains):
            if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
                problem((*at, "allowed_domains", j), f"{domain!r} is not a domain (lower case, like {parsed.division.email_domain})")
            elif domain in PERSONAL_DOMAINS:
                problem((*at, "allowed_domains", j), f"{domain} is a personal e-mail domain")
    for role in parsed.sso.roles:
        if role not in known_roles:
            problem(("sso", "roles", role), f"{role!r} is not a staff.csv role")


def _check_retention(parsed: DivisionFile, raw: dict[str, Any], problems: list[Problem]) -> None:
    """Retention rules name accounts and categories that exist."""
    names = {a.name for a in parsed.accounts}
    for name in parsed.retention.accounts:
        if name not in names:
            loc = ("retention", "accounts", name)
            problems.append(Problem(DIVISION_FILE, yamlfile.line_of(raw, loc), f"retention.accounts.{name}", f"unknown account {name!r} (accounts: {', '.join(sorted(names))})"))
    for category, days in parsed.retention.categories.items():
        loc = ("retention", "categories", category)
        if category not in CATEGORIES:
            problems.append(Problem(DIVISION_FILE, yamlfile.line_of(raw, loc), f"retention.categories.{category}", f"unknown category {category!r} (categories: {', '.join(CATEGORIES)})"))
        elif days < 1:
            problems.append(Problem(DIVISION_FILE, yamlfile.line_of(raw, loc), f"retention.categories.{category}", f"{days!r}: must be at least 1 day"))


def _email_problem(email: str, domain: str) -> str | None:
    if "@" not in email:
        return f"{email!r} is not an e-mail address"
    host = email.rpartition("@")[2].lower()
    if host in PERSONAL_DOMAINS:
        return f"{email} is a personal e-mail domain; administrators use work addresses (@{domain})"
    if host != domain and not host.endswith("." + domain):
        return f"{email} is not a work address of the division (@{domain})"
    return None
