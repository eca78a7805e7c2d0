"""A plain-text progress bar for long loads, on stderr."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    """Redrawn in place on a terminal (at most ten times a second); on a pipe or in a log, one
    line every tenth of the way, so logs stay short."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO | None, unit: str):
        self.total, self.stream, self.unit = total, stream, unit
        self.done = 0
        self.started = time.monotonic()
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self._drawn = 0.0
        self._tenth = -1

    def advance(self, count: int) -> None:
        self.done += count
        if self.stream is None:
            return
        if self.tty:
            now = time.monotonic()
            if now - self._drawn >= 0.1 or self.done >= self.total:
                self._drawn = now
                self.stream.write("\r" + self.line())
                self.stream.flush()
            return
        tenth = 10 * self.done // self.total if self.total else 10
        if tenth != self._tenth:
            self._tenth = tenth
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def line(self) -> str:
        total = self.total or 1
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        filled = self.WIDTH * min(self.done, total) // total
        left = (self.total - self.done) / rate if rate else 0
        return (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done:,}/{self.total:,} {self.unit} "
            f"{100 * self.done // total:3d}%  {rate:,.0f}/s  {elapsed:,.0f} s, ~{left:,.0f} s left"
        )

    def finish(self) -> None:
        if self.stream is not None and self.tty:
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()
