"""Throttling admin password attempts, per server process.

The pause must hold across browser sessions: a new tab (a new Streamlit session) must not
reset the count, or the pause would protect nothing. One :class:`Throttle` lives per
process (the UI keeps it with ``st.cache_resource``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Throttle:
    """After ``tries`` consecutive wrong passwords, refuse every attempt for ``pause`` s."""

    def __init__(
        self, tries: int = 3, pause: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.tries = tries
        self.pause = pause
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._locked_until = 0.0

    def locked_for(self) -> float:
        """Seconds until attempts are accepted again (0 when they are)."""
        with self._lock:
            return max(0.0, self._locked_until - self._clock())

    def attempt(self, check: Callable[[], bool]) -> bool | None:
        """Run ``check`` unless paused; None when paused, else its result (counted)."""
        with self._lock:
            now = self._clock()
            if self._locked_until > now:
                return None
            ok = check()
            if ok:
                self._failures = 0
            else:
                self._failures += 1
                if self._failures >= self.tries:
                    self._locked_until = now + self.pause
                    self._failures = 0
            return ok
