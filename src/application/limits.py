"""Limits counted through the ``RateLimiter`` port: chat messages per user, sign-in and
sign-up attempts per e-mail and per client IP."""

from __future__ import annotations

import hashlib

from application.errors import RateLimited
from application.metrics import NO_METRICS, LimitName, Metrics
from application.ports import RateDecision, RateLimiter

MINUTE = 60


def tightest(*decisions: RateDecision | None) -> RateDecision | None:
    """The most restrictive of the limits that applied: a refusal first, then the fewest
    hits left, then the longest wait (what ``RateLimit-*`` headers report)."""
    found = [d for d in decisions if d is not None]
    if not found:
        return None
    return min(found, key=lambda d: (d.allowed, d.remaining, -d.reset))


async def _count(limiter: RateLimiter, key: str, per_minute: int) -> RateDecision | None:
    return await limiter.hit(key, per_minute, MINUTE) if per_minute > 0 else None


def _refuse_if_over(decision: RateDecision | None, metrics: Metrics, limit: LimitName) -> RateDecision | None:
    if decision is not None and not decision.allowed:
        metrics.rate_limited(limit)
        raise RateLimited(decision.retry_after, decision)
    return decision


class ChatRateLimiter:
    """At most ``per_minute`` chat messages per user in any rolling minute (0 turns it off)."""

    def __init__(self, limiter: RateLimiter, per_minute: int, metrics: Metrics = NO_METRICS) -> None:
        self._limiter = limiter
        self.per_minute = per_minute
        self._metrics = metrics

    async def check(self, owner_id: str) -> RateDecision | None:
        """Count one message for ``owner_id``; ``RateLimited`` when over the limit."""
        decision = await _count(self._limiter, f"chat:{owner_id}", self.per_minute)
        return _refuse_if_over(decision, self._metrics, "chat")


def email_key(email: str) -> str:
    """The limiter key of an e-mail: a hash, so no address sits in a shared store."""
    return "auth:email:" + hashlib.sha256(email.encode()).hexdigest()[:32]


class AuthAttemptLimits:
    """Sign-in and sign-up attempts: ``per_email`` per normalised e-mail and ``per_ip`` per
    client address in any rolling minute (0 turns either off). Every attempt counts,
    successful or not."""

    def __init__(self, limiter: RateLimiter, per_email: int, per_ip: int, metrics: Metrics = NO_METRICS) -> None:
        self._limiter = limiter
        self.per_email = per_email
        self.per_ip = per_ip
        self._metrics = metrics

    async def check(self, email: str, client_ip: str | None) -> RateDecision | None:
        """Count one attempt; ``RateLimited`` (with the refusing limit) when over either."""
        by_ip = await _count(self._limiter, f"auth:ip:{client_ip}", self.per_ip) if client_ip else None
        if by_ip is not None and not by_ip.allowed:
            return _refuse_if_over(by_ip, self._metrics, "sign_in")
        by_email = await _count(self._limiter, email_key(email), self.per_email)
        return _refuse_if_over(tightest(by_ip, by_email), self._metrics, "sign_in")


class RequestRateLimit:
    """``RATE_LIMIT_PER_IP``: requests per client address in any rolling minute, on every
    route but health, readiness and metrics. Counted by the outer HTTP layer."""

    def __init__(self, limiter: RateLimiter, per_minute: int, metrics: Metrics = NO_METRICS) -> None:
        self._limiter = limiter
        self.per_minute = per_minute
        self._metrics = metrics

    async def check(self, client_ip: str) -> RateDecision:
        """Count one request from ``client_ip``; a refused one is counted on the metric."""
        decision = await self._limiter.hit(f"ip:{client_ip}", self.per_minute, MINUTE)
        if not decision.allowed:
            self._metrics.rate_limited("ip")
        return decision
