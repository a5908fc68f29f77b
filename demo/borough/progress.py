"""A plain-text progress bar: `events  [#####.....] 500,000/1,000,000  12s`.

On a terminal the bar redraws in place; anywhere else (a log, a test) it writes a line at each
tenth, so output stays short.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

WIDTH = 10


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


class Progress:
    def __init__(
        self,
        out: Writer | None,
        label: str,
        total: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out = out
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.clock = clock
        self.started = clock()
        isatty = getattr(out, "isatty", None)
        self.live = bool(callable(isatty) and isatty())
        self.last_tenth = -1

    def line(self) -> str:
        fraction = self.done / self.total if self.total else 1.0
        filled = min(WIDTH, int(fraction * WIDTH))
        bar = "#" * filled + "." * (WIDTH - filled)
        elapsed = self.clock() - self.started
        return f"{self.label:<14}[{bar}] {self.done:,}/{self.total:,}  {elapsed:.0f}s"

    def advance(self, count: int) -> None:
        self.done = min(self.done + count, self.total)
        if self.out is None:
            return
        if self.live:
            self.out.write("\r" + self.line())
            return
        tenth = int(self.done * 10 / self.total) if self.total else 10
        if tenth > self.last_tenth:
            self.last_tenth = tenth
            self.out.write(self.line() + "\n")

    def finish(self) -> None:
        self.done = self.total
        if self.out is None:
            return
        if self.live:
            self.out.write("\r" + self.line() + "\n")
        elif self.last_tenth < 10:
            self.last_tenth = 10
            self.out.write(self.line() + "\n")
