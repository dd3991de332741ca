"""The argon2id hasher: real hashes, off the event loop, at most two at once."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from adapters.auth import Argon2PasswordHasher, passwords


@pytest.fixture
def hasher() -> Argon2PasswordHasher:
    fast = Argon2PasswordHasher(time_cost=1, memory_kib=1024)
    yield fast  # type: ignore[misc]
    fast.close()


async def test_a_hash_verifies_its_password_only(hasher: Argon2PasswordHasher) -> None:
    stored = await hasher.hash("correct horse")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert await hasher.verify(stored, "correct horse")
    assert not await hasher.verify(stored, "wrong horse")
    assert not await hasher.verify("not a hash", "correct horse")


async def test_no_account_checks_a_dummy_hash_and_fails(hasher: Argon2PasswordHasher) -> None:
    assert not await hasher.verify(None, "correct horse")
    assert hasher._dummy is not None and hasher._dummy.startswith("$argon2id$")


async def test_other_parameters_need_a_rehash(hasher: Argon2PasswordHasher) -> None:
    stored = await hasher.hash("pw-pw-pw-pw")
    stronger = Argon2PasswordHasher(time_cost=2, memory_kib=1024)
    try:
        assert not hasher.needs_rehash(stored)
        assert stronger.needs_rehash(stored)
        assert stronger.needs_rehash("garbage")
    finally:
        stronger.close()


def test_the_defaults_are_the_measured_ones() -> None:
    assert (passwords.TIME_COST, passwords.MEMORY_KIB, passwords.PARALLELISM) == (2, 19 * 1024, 1)
    assert passwords.MAX_CONCURRENT == 2


async def test_hashes_run_off_the_loop_two_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = Argon2PasswordHasher(time_cost=1, memory_kib=1024, max_concurrent=2)
    running, peak, lock = 0, 0, threading.Lock()
    real = hasher._argon2

    def slow_hash(password: str) -> str:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)  # stands for a long hash (the work itself, not a wait for something)
        with lock:
            running -= 1
        return real.hash(password)

    class SlowArgon2:
        hash = staticmethod(slow_hash)

    monkeypatch.setattr(hasher, "_argon2", SlowArgon2())
    loop_ticks = 0

    async def ticker() -> None:
        nonlocal loop_ticks
        while True:
            loop_ticks += 1
            await asyncio.sleep(0.005)

    tick = asyncio.create_task(ticker())
    try:
        await asyncio.gather(*(hasher.hash(f"password-{n}") for n in range(6)))
    finally:
        tick.cancel()
        hasher.close()
    assert peak == 2
    assert loop_ticks >= 10  # the event loop kept running while hashing
