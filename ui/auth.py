"""The page's login, hardened against guessing: a failed attempt is answered slowly, and a name
is locked for a while after repeated failures (even the right password is refused meanwhile).

Gradio calls the check inside its event loop, so the check is a coroutine: the delay is an
`asyncio.sleep` that holds up the guesser, never the page. Everything before the first `await`
runs without interruption, so a burst of parallel guesses is counted exactly: at most
`lock_after` passwords are ever tried against a name per lock period.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

FAIL_DELAY = 1.0  # seconds before a wrong login is answered
LOCK_AFTER = 5  # failures of one name within WINDOW that lock it
WINDOW = 15 * 60
LOCK_FOR = 15 * 60  # seconds a locked name stays locked


class LoginGuard:
    """`await guard.login(username, password)` -> whether to let them in. Give Gradio `guard.login`
    (a coroutine function: Gradio awaits only what `inspect.iscoroutinefunction` says it must, and
    would take an un-awaited coroutine object for a yes)."""

    def __init__(
        self, user: str, password: str, *, fail_delay: float = FAIL_DELAY, lock_after: int = LOCK_AFTER,
        window: float = WINDOW, lock_for: float = LOCK_FOR, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._user, self._password = user.encode(), password.encode()
        self.fail_delay, self.lock_after, self.window, self.lock_for = fail_delay, lock_after, window, lock_for
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}

    def locked(self, username: str) -> bool:
        return self._locked_until.get(username.lower(), 0.0) > self._clock()

    def check(self, username: str, password: str) -> bool:
        """The verdict, counting the attempt (no waiting): False while the name is locked."""
        name = username.lower()
        now = self._clock()
        if self.locked(name):
            return False
        right = hmac.compare_digest(username.encode(), self._user) & hmac.compare_digest(password.encode(), self._password)
        if right:
            self._failures.pop(name, None)
            return True
        recent = [t for t in self._failures.get(name, []) if now - t < self.window] + [now]
        self._failures[name] = recent
        if len(recent) >= self.lock_after:
            self._locked_until[name] = now + self.lock_for
            self._failures.pop(name, None)
            log.warning("login for %r locked for %.0f s after %d failures", username, self.lock_for, len(recent))
        return False

    async def login(self, username: str, password: str) -> bool:
        ok = self.check(username, password)
        if not ok:
            await asyncio.sleep(self.fail_delay)
        return ok
