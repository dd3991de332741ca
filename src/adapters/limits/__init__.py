"""adapters/limits: ``RateLimiter`` adapters (in-process today; a shared store can join)."""

from adapters.limits.in_process import InProcessRateLimiter

__all__ = ["InProcessRateLimiter"]
