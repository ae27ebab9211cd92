"""The exit statuses of `hallwatch` commands, one per thing an operator does differently (README)."""
from __future__ import annotations

OK = 0
# the configuration or the command line is wrong (also: a bad input file, an unknown account)
USAGE = 1
# another run holds the database's run lock: nothing was done, try again later
LOCKED = 3
# the cycle ran but some accounts failed (each one's error is printed and in `hallwatch status`)
ACCOUNTS_FAILED = 4
# the database cannot be used: missing, not initialised, unreachable, stopped or deleted mid-run
DATABASE = 5
# `audit verify` / `export verify`: the audit log or an export does not match its hashes or signature
VERIFY_FAILED = 6
