"""The one exception type p4c raises for anything a user can fix."""

from __future__ import annotations


class P4CError(Exception):
    """A problem the user can fix: bad input, bad config, missing data.

    The CLI prints the message (and the optional hint) to stderr and exits 1; the message must say
    where the problem is and what is accepted, because users never see a traceback.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n{self.hint}"
