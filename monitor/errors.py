"""The monitor's errors: each says what is wrong and where, in words an operator can act on."""
from __future__ import annotations

from dataclasses import dataclass


class HallwatchError(Exception):
    """Base of everything the CLI reports as a clean message with a non-zero exit."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ConfigError(HallwatchError):
    """The division's configuration has problems; all of them are listed, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UnknownAccount(HallwatchError):
    pass
