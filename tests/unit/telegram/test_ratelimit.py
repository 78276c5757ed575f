"""The sender's rate limiter keeps Telegram's count of arrivals under the limit whatever the round
trips, and still sends at close to the limit."""

from __future__ import annotations

import heapq
import random
from collections import deque

from bot.telegram.ratelimit import IN_FLIGHT_WAIT, Limits, RateLimiter


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_place_is_held_until_one_period_after_the_answer() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(Limits(global_per_second=3), monotonic=clock)
    for chat in (1, 2, 3):
        assert limiter.try_acquire(chat, "sendMessage") == 0
    assert limiter.try_acquire(4, "sendMessage") == IN_FLIGHT_WAIT  # all three still in flight
    assert limiter.try_acquire(4, "answerCallbackQuery") == 0  # not counted by Telegram
    clock.now = 0.25  # times a binary fraction can hold exactly
    limiter.release(1, "sendMessage")
    clock.now = 0.5
    assert limiter.try_acquire(4, "sendMessage") == 0.75  # 1.0 after the first answer
    clock.now = 1.25
    assert limiter.try_acquire(4, "sendMessage") == 0
    assert limiter.try_acquire(4, "sendMessage") > 0  # its own chat: one at a time, one a second


def test_a_call_that_never_left_gives_its_place_back_uncounted() -> None:
    """A row allowed to go but not ready (it waits for the topic it links to) sent nothing: its
    private chat must not wait a second, nor the global window count it."""
    clock = FakeMonotonic()
    limiter = RateLimiter(Limits(global_per_second=1), monotonic=clock)
    assert limiter.try_acquire(5, "sendMessage") == 0
    limiter.cancel(5, "sendMessage")
    clock.now = 0.25
    assert limiter.try_acquire(5, "sendMessage") == 0  # at once, not a second on
    limiter.release(5, "sendMessage")
    assert limiter.try_acquire(6, "sendMessage") > 0  # a call that did leave counts as before


def simulate(count: int, seed: int, network: tuple[float, ...], max_in_flight: int = 4) -> tuple[list[float], float]:
    """Send `count` messages to distinct chats through the limiter, each arriving at Telegram at a
    random moment of its round trip; return the arrival times and when the last answer came."""
    rng = random.Random(seed)
    clock = FakeMonotonic()
    limiter = RateLimiter(monotonic=clock)
    answers: list[tuple[float, int]] = []  # (answered at, chat)
    arrivals: list[float] = []
    last_answer = 0.0
    chat = 0
    while chat < count or answers:
        while answers and answers[0][0] <= clock.now:
            at, done = heapq.heappop(answers)
            clock.now = max(clock.now, at)
            last_answer = at
            limiter.release(done, "sendMessage")
        wait = 1.0
        while chat < count and len(answers) < max_in_flight:
            wait = limiter.try_acquire(chat + 1, "sendMessage")
            if wait > 0:
                break
            chat += 1
            prepare = rng.uniform(0.0, 0.01)  # reading and decrypting the row before the call leaves
            there = rng.choice(network)
            back = rng.uniform(0.001, 0.05)
            arrivals.append(clock.now + prepare + there)
            heapq.heappush(answers, (clock.now + prepare + there + back, chat))
        upcoming = [answers[0][0]] if answers else []
        clock.now = min([clock.now + max(wait, 1e-4), *upcoming])
    return sorted(arrivals), last_answer


def most_in_any_second(arrivals: list[float]) -> int:
    window: deque[float] = deque()
    most = 0
    for at in arrivals:  # Telegram's count when each message arrives: those of the second before
        while window and window[0] <= at - 1.0:
            window.popleft()
        window.append(at)
        most = max(most, len(window))
    return most


def test_arrivals_never_exceed_thirty_in_any_second_whatever_the_network() -> None:
    for seed in range(20):
        arrivals, _ = simulate(300, seed, network=(0.001, 0.01, 0.08, 0.3, 0.6))  # now and then slow
        assert len(arrivals) == 300 and most_in_any_second(arrivals) <= 30, seed


def test_on_a_steady_network_the_pace_is_close_to_the_limit() -> None:
    for seed in range(5):
        arrivals, finished = simulate(300, seed, network=(0.005, 0.01, 0.02))
        # The floor is 9 s (ten full seconds' worth, the first batch at 0); a round trip per second is the cost.
        assert len(arrivals) == 300 and finished < 9.0 * 1.1, (seed, finished)
