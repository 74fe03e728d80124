"""The one error type that carries every problem found, not only the first.

Reading input, planning a batch and reading a mail configuration each check everything
before they stop, and report it all at once: `problems` holds one entry per problem (a line
of text, or a located data.problems.Problem), which the command line prints one per line.
"""

from __future__ import annotations


class Problems(Exception):
    """Every problem found, in `problems`; the subclasses say which stage found them."""

    def __init__(self, problems: list):
        super().__init__(f"{len(problems)} problems")
        self.problems = list(problems)
