"""Counting what the metered APIs charge an account, and the X read budget.

- `x_posts_read`: X bills reads per post (since 2026); counted per account and calendar month (UTC,
  as X's billing is). With a monthly budget (division.yaml `x_billing.monthly_budget`, or the
  account's `x_monthly_budget`), the run hands the connector the posts left this month
  (`options["x_reads_left"]`); at zero the account is not read until the month ends, with one
  event per run and one governance finding, never an error.
- `youtube_quota_units`: the YouTube Data API's daily quota (10,000 units by default), 1 unit per
  list call and 50 per moderation call, counted per Pacific-time day because Google resets it then.

Connectors report what they used in `FetchResult.usage` (and `last_usage` after an action); the run
adds it in the same transaction as the items and the cursor.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import AccountConfig, Division
from monitor.models import ApiUsage

X_POSTS_READ = "x_posts_read"
YOUTUBE_UNITS = "youtube_quota_units"
YOUTUBE_DAILY_QUOTA = 10_000
YOUTUBE_MODERATION_UNITS = 50
GOOGLE_QUOTA_ZONE = ZoneInfo("America/Los_Angeles")


def period(metric: str, moment: datetime) -> str:
    """The counting period a moment falls in: the UTC month for X, the Pacific day for YouTube."""
    if metric == YOUTUBE_UNITS:
        return moment.astimezone(GOOGLE_QUOTA_ZONE).date().isoformat()
    return moment.astimezone(timezone.utc).strftime("%Y-%m")


def add(session: Session, account_id: int, usage: dict[str, int], moment: datetime) -> None:
    """Add a fetch's or an action's usage to the account's counters for the period of `moment`."""
    for metric, amount in usage.items():
        if not amount:
            continue
        key = (account_id, metric, period(metric, moment))
        row = session.get(ApiUsage, key)
        if row is None:
            session.add(ApiUsage(account_id=account_id, metric=metric, period=key[2], amount=int(amount), updated_at=moment))
        else:
            row.amount, row.updated_at = row.amount + int(amount), moment
    session.flush()


def used(session: Session, account_id: int, metric: str, moment: datetime) -> int:
    return session.scalar(select(ApiUsage.amount).where(
        ApiUsage.account_id == account_id, ApiUsage.metric == metric, ApiUsage.period == period(metric, moment))) or 0


@dataclass(frozen=True)
class XBudget:
    """One X account's month: posts read, what they cost at the configured price, and its budget."""

    month: str
    posts_read: int
    price: float
    currency: str
    budget: float | None

    @property
    def cost(self) -> float:
        return self.posts_read * self.price

    @property
    def budget_posts(self) -> int | None:
        """How many posts the budget buys (None: no budget; a price of 0 makes the budget unlimited)."""
        if self.budget is None or self.price <= 0:
            return None
        return int(self.budget / self.price + 1e-9)

    @property
    def left(self) -> int | None:
        return None if self.budget_posts is None else max(0, self.budget_posts - self.posts_read)

    @property
    def reached(self) -> bool:
        return self.left == 0

    @property
    def resumes(self) -> date:
        year, month = (int(p) for p in self.month.split("-"))
        return date(year + month // 12, month % 12 + 1, 1)

    def describe(self) -> str:
        text = (f"X reads {self.month}: {self.posts_read} posts, about {self.cost:.2f} {self.currency} "
                f"at {self.price:g} {self.currency} a post (estimate: check the division's X plan)")
        if self.budget is not None:
            text += f"; budget {self.budget:g} {self.currency}"
            if self.reached:
                text += f", reached: not read until {self.resumes.isoformat()}"
        return text


def x_budget(session: Session, division: Division, config: AccountConfig, account_id: int, moment: datetime) -> XBudget:
    billing = division.x_billing
    budget = config.x_monthly_budget if config.x_monthly_budget is not None else billing.monthly_budget
    return XBudget(period(X_POSTS_READ, moment), used(session, account_id, X_POSTS_READ, moment), billing.price_per_post_read, billing.currency, budget)


def status_lines(session: Session, division: Division, config: AccountConfig, account_id: int, moment: datetime) -> list[str]:
    """What `hallwatch status` says of the account's metered use (nothing for unmetered platforms)."""
    if config.platform == "x" and not config.sample_file:
        return [x_budget(session, division, config, account_id, moment).describe()]
    if config.platform == "youtube" and not config.sample_file:
        units = used(session, account_id, YOUTUBE_UNITS, moment)
        return [f"YouTube quota {period(YOUTUBE_UNITS, moment)} (Pacific day): {units} of {YOUTUBE_DAILY_QUOTA:,} units"]
    return []
