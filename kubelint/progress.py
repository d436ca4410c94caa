"""A one-line progress indicator for long runs on a terminal (the CLI writes what it returns).

The engine reports `(stage, done, total)`: "reading" files, then "checking" resources. The line
appears once the run has more than `min_files` files or has taken `delay` seconds, is redrawn at
most every `interval` seconds, and is cleared at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

CLEAR = "\r\033[K"
"""Carriage return, then erase to the end of the line."""


@dataclass(slots=True)
class ProgressLine:
    start: float
    min_files: int = 50
    delay: float = 1.0
    interval: float = 0.1
    _shown: bool = False
    _last: float = float("-inf")
    _files: int = 0

    def update(self, stage: str, done: int, total: int, now: float) -> str | None:
        """The text to write for this step (None: nothing to redraw yet)."""
        if stage == "reading":
            self._files = total
        if not self._shown and self._files <= self.min_files and now - self.start < self.delay:
            return None
        if self._shown and now - self._last < self.interval and done != total:
            return None
        self._shown, self._last = True, now
        unit = "files" if stage == "reading" else "resources"
        return f"{CLEAR}kubelint: {stage} {done}/{total} {unit}"

    def finish(self) -> str:
        """What clears the line (nothing if it was never drawn)."""
        return CLEAR if self._shown else ""
