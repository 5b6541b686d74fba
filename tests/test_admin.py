"""The admin password throttle, with a fake clock."""

from __future__ import annotations

from ssi_bench.admin import Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_three_wrong_tries_pause_every_attempt_for_the_pause():
    clock = Clock()
    t = Throttle(tries=3, pause=30.0, clock=clock)
    calls = []

    def wrong() -> bool:
        calls.append(1)
        return False

    assert [t.attempt(wrong) for _ in range(3)] == [False, False, False]
    assert t.locked_for() == 30.0
    assert t.attempt(lambda: True) is None  # even the right password waits
    assert len(calls) == 3  # a paused attempt is not even checked
    clock.now += 30.0
    assert t.locked_for() == 0.0
    assert t.attempt(lambda: True) is True


def test_a_right_password_resets_the_count():
    t = Throttle(tries=3, pause=30.0, clock=Clock())
    t.attempt(lambda: False)
    t.attempt(lambda: False)
    t.attempt(lambda: True)
    t.attempt(lambda: False)
    t.attempt(lambda: False)
    assert t.locked_for() == 0.0
