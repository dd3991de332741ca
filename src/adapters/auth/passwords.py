"""Password hashing with argon2id (argon2-cffi), off the event loop, two at a time.

Parameters (measured on the 2-core reference machine, see docs/web.md): t=2, m=19 MiB,
p=1 — OWASP's recommended argon2id setting. One hash takes ~18 ms; two at once add ~38 MiB
to the process (argon2's defaults, t=3 m=64 MiB p=4, took ~140 ms and ~128 MiB for two),
so a 512 MiB container holds the server (~142 MiB idle) with room to spare.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

TIME_COST = 2
MEMORY_KIB = 19 * 1024
PARALLELISM = 1
MAX_CONCURRENT = 2
T = TypeVar("T")


class Argon2PasswordHasher:
    """``PasswordHasher`` port: argon2id in a private pool of ``max_concurrent`` threads
    (argon2 releases the GIL), so at most that many hashes hold their memory at once and
    the event loop keeps serving while they run."""

    def __init__(
        self,
        time_cost: int = TIME_COST,
        memory_kib: int = MEMORY_KIB,
        parallelism: int = PARALLELISM,
        max_concurrent: int = MAX_CONCURRENT,
    ) -> None:
        self._argon2 = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="argon2")
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await self._run(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is None:
            await self._run(self._check, await self._dummy_hash(), password)
            return False
        return bool(await self._run(self._check, password_hash, password))

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return bool(self._argon2.check_needs_rehash(password_hash))
        except (InvalidHashError, ValueError):
            return True

    def close(self) -> None:
        """Stop the hashing threads (at shutdown)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._argon2.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    async def _dummy_hash(self) -> str:
        # A hash with the current parameters, made once: checking it costs what a real check costs.
        if self._dummy is None:
            self._dummy = await self._run(self._argon2.hash, "not a password: timing stand-in")
        return self._dummy

    async def _run(self, function: Callable[..., T], *args: str) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)
