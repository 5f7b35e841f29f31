"""Replay claims and rate limits in a Redis shared with ``sigwire-gateway`` and other services.

Byte-compatible with the gateway (docs/redis-layout.md, normative): the same keys
(``<ns>:epoch``, ``<ns>:replay:<key id>:<nonce>``, ``<ns>:rl:key:<key id>``,
``<ns>:rl:fail-key:<key id>``, ``<ns>:rl:fail-ip:<ip>``), the same two Lua scripts and the same
epoch rule, so a nonce accepted by a gateway or a Node service is refused here, and the reverse::

    import redis
    from sigwire import Verifier
    from sigwire.redis import Limit, RedisStore
    from sigwire.wsgi import SigwireMiddleware

    store = RedisStore(redis.Redis(host="127.0.0.1", socket_timeout=1),
                       rate_limit=Limit(100, per_seconds=60, burst=20),
                       failures_per_ip=Limit(20, per_seconds=60))
    app.wsgi_app = SigwireMiddleware(app.wsgi_app, Verifier(keys), store=store)

With asyncio use :class:`AsyncRedisStore` over ``redis.asyncio.Redis`` and the ASGI middleware:
it claims nonces without blocking the event loop (the verifier's two-step API: authenticate, then
claim here). Every Redis failure — connection refused or lost, time limit, ``OOM``, any error —
is :class:`~sigwire.ReplayStoreUnavailable` (503): **fail closed**, never an accept.

Outcomes of a claim: fresh (accept), replayed (401 ``replayed_nonce``), or signed at or before the
store's epoch (401 ``stale_timestamp``: the store may have lost the nonce; a client that signs
again is accepted). Rate limits: ``rate_limit`` is taken for each verified, claimed request (429
``rate_limited``); ``failures_per_ip`` and ``failures_per_key`` are asked before verifying and
taken after each failed verification (429 ``too_many_failures``). 429 answers carry
``Retry-After``, ``RateLimit-Policy`` and ``RateLimit``, as the gateway's.
"""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple, Type

from ._errors import ReplayStoreUnavailable

__all__ = [
    "Limit",
    "Decision",
    "RateLimited",
    "RedisStore",
    "AsyncRedisStore",
    "FRESH",
    "REPLAYED",
    "BEFORE_EPOCH",
    "CLAIM_LUA",
    "GCRA_LUA",
]

#: Claim outcomes (the first value the claim script returns).
FRESH, REPLAYED, BEFORE_EPOCH = "fresh", "replayed", "before_epoch"

#: The claim script of docs/redis-layout.md §2 (the gateway's text, byte for byte).
#: KEYS: epoch, nonce. ARGV: now, timestamp, ttl seconds. Returns {1 fresh | 2 replayed | 0 before
#: the epoch, epoch}.
CLAIM_LUA = r"""
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], ARGV[1])
  epoch = ARGV[1]
end
if tonumber(ARGV[2]) <= tonumber(epoch) then
  return {0, tonumber(epoch)}
end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3]) then
  return {1, tonumber(epoch)}
end
return {2, tonumber(epoch)}
"""

#: The GCRA script of docs/redis-layout.md §4 (the gateway's text, byte for byte), timed by the
#: Redis server. KEYS: limiter. ARGV: T (ms), burst, take (1) or ask (0).
#: Returns {allowed, remaining, retry_after_ms, reset_ms}.
GCRA_LUA = r"""
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local T = tonumber(ARGV[1])
local limit = T * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + T
if new_tat - now > limit then
  return {0, 0, new_tat - now - limit, tat - now}
end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', new_tat - now)
  tat = new_tat
end
return {1, math.floor((limit - (tat - now)) / T), 0, tat - now}
"""

_NAMESPACE = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class Limit:
    """``rate`` requests per ``per_seconds``, with bursts up to ``burst`` (default: ``rate``)."""

    rate: int
    per_seconds: int = 1
    burst: Optional[int] = None

    def __post_init__(self) -> None:
        for name in ("rate", "per_seconds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Limit.{name} must be an int of at least 1")
        if self.burst is not None and (
            isinstance(self.burst, bool) or not isinstance(self.burst, int) or self.burst < 1
        ):
            raise ValueError("Limit.burst must be an int of at least 1, or None")

    @property
    def interval_ms(self) -> int:
        """The emission interval ``T = ceil(per_seconds × 1000 / rate)`` in milliseconds."""
        return max(1, -(-(self.per_seconds * 1000) // self.rate))

    @property
    def burst_size(self) -> int:
        """The burst, ``rate`` when not given."""
        return self.burst if self.burst is not None else self.rate


@dataclass(frozen=True)
class Decision:
    """One limiter's answer (the GCRA script's four values, the policy name and the limit)."""

    allowed: bool
    remaining: int
    retry_after_ms: int
    reset_ms: int
    policy: str
    limit: Limit

    def retry_after_seconds(self) -> int:
        """``Retry-After`` in whole seconds, at least 1."""
        return max(1, math.ceil(self.retry_after_ms / 1000))

    def headers(self) -> List[Tuple[str, str]]:
        """``RateLimit-Policy`` and ``RateLimit`` (draft-ietf-httpapi-ratelimit-headers), plus
        ``Retry-After`` when refused — the gateway's values."""
        t = math.ceil(self.reset_ms / 1000) if self.allowed else self.retry_after_seconds()
        out = [
            ("RateLimit-Policy", f'"{self.policy}";q={self.limit.rate};w={self.limit.per_seconds}'),
            ("RateLimit", f'"{self.policy}";r={self.remaining};t={t}'),
        ]
        if not self.allowed:
            out.insert(0, ("Retry-After", str(self.retry_after_seconds())))
        return out


class RateLimited(Exception):
    """A limiter refused the request: answer 429 with :attr:`code` and :attr:`decision`'s
    headers. ``code`` is ``rate_limited`` or ``too_many_failures``."""

    def __init__(self, code: str, decision: Decision) -> None:
        super().__init__(code)
        self.code = code
        self.decision = decision


def _unavailable(now: int, err: BaseException) -> ReplayStoreUnavailable:
    exc = ReplayStoreUnavailable(
        f"the Redis store did not answer ({type(err).__name__}); refusing rather than accepting",
        server_time=now,
    )
    exc.__cause__ = err
    return exc


class _Layout:
    """Key names and the shared decisions of the sync and async stores (no I/O)."""

    def __init__(
        self,
        namespace: str,
        rate_limit: Optional[Limit],
        failures_per_key: Optional[Limit],
        failures_per_ip: Optional[Limit],
    ) -> None:
        if not isinstance(namespace, str) or not _NAMESPACE.fullmatch(namespace):
            raise ValueError("namespace must be 1-64 characters of A-Z a-z 0-9 - _ .")
        self.namespace = namespace
        self.rate_limit = rate_limit
        self.failures_per_key = failures_per_key
        self.failures_per_ip = failures_per_ip

    def epoch(self) -> str:
        return f"{self.namespace}:epoch"

    def replay(self, key_id: str, nonce: str) -> str:
        return f"{self.namespace}:replay:{key_id}:{nonce}"

    def rate(self, key_id: str) -> str:
        return f"{self.namespace}:rl:key:{key_id}"

    def fail_key(self, key_id: str) -> str:
        return f"{self.namespace}:rl:fail-key:{key_id}"

    def fail_ip(self, ip: str) -> str:
        return f"{self.namespace}:rl:fail-ip:{ip}"

    @staticmethod
    def claim_args(timestamp: int, expires_at: int, now: int) -> List[int]:
        # Kept one second past `expires_at`, since `expires_at` itself is still accepted.
        return [now, timestamp, max(1, expires_at - now + 1)]

    @staticmethod
    def claim_outcome(result: Any) -> str:
        status = int(result[0])
        return FRESH if status == 1 else REPLAYED if status == 2 else BEFORE_EPOCH

    @staticmethod
    def decision(result: Sequence[Any], policy: str, limit: Limit) -> Decision:
        allowed, remaining, retry, reset = (int(v) for v in result)
        return Decision(allowed == 1, max(0, remaining), max(0, retry), max(0, reset), policy, limit)

    def failure_limits(self, ip: Optional[str], key_id: Optional[str]) -> List[Tuple[str, str, Limit]]:
        out = []
        if ip and self.failures_per_ip is not None:
            out.append((self.fail_ip(ip), "failures-ip", self.failures_per_ip))
        if key_id and self.failures_per_key is not None:
            out.append((self.fail_key(key_id), "failures-key", self.failures_per_key))
        return out


class RedisStore:
    """Replay claims and rate limits in Redis, synchronous (``redis.Redis``): for the WSGI
    middleware (and the ASGI one, though :class:`AsyncRedisStore` does not block the loop).

    ``RedisStore(client, namespace="sigwire", *, rate_limit=None, failures_per_key=None,
    failures_per_ip=None)``. Give the client a ``socket_timeout`` (the gateway waits 1 s): a
    Redis that does not answer is ``ReplayStoreUnavailable``, never an accept.
    """

    def __init__(
        self,
        client: Any,
        namespace: str = "sigwire",
        *,
        rate_limit: Optional[Limit] = None,
        failures_per_key: Optional[Limit] = None,
        failures_per_ip: Optional[Limit] = None,
    ) -> None:
        import redis as _redis  # the redis-py package (this module is sigwire.redis)

        self.client = client
        self.layout = _Layout(namespace, rate_limit, failures_per_key, failures_per_ip)
        self._errors: Tuple[Type[BaseException], ...] = (_redis.RedisError, OSError)
        self._claim = client.register_script(CLAIM_LUA)
        self._gcra = client.register_script(GCRA_LUA)

    def ensure_epoch(self, now: int) -> None:
        """``SET <ns>:epoch <now> NX``: gives a new store its epoch before the first claim, so the
        first requests are not refused for being signed in the second the epoch is created."""
        try:
            self.client.set(self.layout.epoch(), now, nx=True)
        except self._errors as err:
            raise _unavailable(now, err) from err

    def claim(self, key_id: str, nonce: str, timestamp: int, expires_at: int, now: int) -> str:
        """Claims ``(key_id, nonce)`` until ``expires_at``: :data:`FRESH`, :data:`REPLAYED` or
        :data:`BEFORE_EPOCH`. Raises ``ReplayStoreUnavailable`` when Redis does not answer."""
        keys = [self.layout.epoch(), self.layout.replay(key_id, nonce)]
        try:
            result = self._claim(keys=keys, args=_Layout.claim_args(timestamp, expires_at, now))
            return _Layout.claim_outcome(result)
        except self._errors as err:
            raise _unavailable(now, err) from err

    def _limit(self, key: str, policy: str, limit: Limit, take: bool, now: int) -> Decision:
        args = [limit.interval_ms, limit.burst_size, "1" if take else "0"]
        try:
            return _Layout.decision(self._gcra(keys=[key], args=args), policy, limit)
        except self._errors as err:
            raise _unavailable(now, err) from err

    def check_failures(self, ip: Optional[str], key_id: Optional[str], now: int) -> None:
        """Asks (does not count) the failure budgets of ``ip`` and ``key_id``: raises
        :class:`RateLimited` (``too_many_failures``) when one is spent."""
        for key, policy, limit in self.layout.failure_limits(ip, key_id):
            d = self._limit(key, policy, limit, False, now)
            if not d.allowed:
                raise RateLimited("too_many_failures", d)

    def record_failure(self, ip: Optional[str], key_id: Optional[str], now: int) -> None:
        """Counts one failed verification against ``ip`` and ``key_id``."""
        for key, policy, limit in self.layout.failure_limits(ip, key_id):
            self._limit(key, policy, limit, True, now)

    def take(self, key_id: str, now: int) -> Optional[Decision]:
        """Takes one request from ``key_id``'s limit (``None`` without ``rate_limit``); raises
        :class:`RateLimited` (``rate_limited``) when refused."""
        if self.layout.rate_limit is None:
            return None
        d = self._limit(self.layout.rate(key_id), "key", self.layout.rate_limit, True, now)
        if not d.allowed:
            raise RateLimited("rate_limited", d)
        return d


class AsyncRedisStore:
    """:class:`RedisStore` for asyncio (``redis.asyncio.Redis``), for the ASGI middleware: the
    same keys, scripts and outcomes, awaited. ``timeout`` (seconds, default 1, as the gateway's)
    bounds each call; past it the request is refused with ``ReplayStoreUnavailable``."""

    def __init__(
        self,
        client: Any,
        namespace: str = "sigwire",
        *,
        rate_limit: Optional[Limit] = None,
        failures_per_key: Optional[Limit] = None,
        failures_per_ip: Optional[Limit] = None,
        timeout: float = 1.0,
    ) -> None:
        import redis as _redis

        self.client = client
        self.layout = _Layout(namespace, rate_limit, failures_per_key, failures_per_ip)
        self.timeout = timeout
        self._errors: Tuple[Type[BaseException], ...] = (_redis.RedisError, OSError, asyncio.TimeoutError)
        self._claim = client.register_script(CLAIM_LUA)
        self._gcra = client.register_script(GCRA_LUA)

    async def _run(self, coro: Any, now: int) -> Any:
        try:
            return await asyncio.wait_for(coro, self.timeout)
        except self._errors as err:
            raise _unavailable(now, err) from err

    async def ensure_epoch(self, now: int) -> None:
        """``SET <ns>:epoch <now> NX`` (see :meth:`RedisStore.ensure_epoch`)."""
        await self._run(self.client.set(self.layout.epoch(), now, nx=True), now)

    async def claim(self, key_id: str, nonce: str, timestamp: int, expires_at: int, now: int) -> str:
        """See :meth:`RedisStore.claim`."""
        keys = [self.layout.epoch(), self.layout.replay(key_id, nonce)]
        args = _Layout.claim_args(timestamp, expires_at, now)
        return _Layout.claim_outcome(await self._run(self._claim(keys=keys, args=args), now))

    async def _limit(self, key: str, policy: str, limit: Limit, take: bool, now: int) -> Decision:
        args = [limit.interval_ms, limit.burst_size, "1" if take else "0"]
        return _Layout.decision(await self._run(self._gcra(keys=[key], args=args), now), policy, limit)

    async def check_failures(self, ip: Optional[str], key_id: Optional[str], now: int) -> None:
        """See :meth:`RedisStore.check_failures`."""
        for key, policy, limit in self.layout.failure_limits(ip, key_id):
            d = await self._limit(key, policy, limit, False, now)
            if not d.allowed:
                raise RateLimited("too_many_failures", d)

    async def record_failure(self, ip: Optional[str], key_id: Optional[str], now: int) -> None:
        """See :meth:`RedisStore.record_failure`."""
        for key, policy, limit in self.layout.failure_limits(ip, key_id):
            await self._limit(key, policy, limit, True, now)

    async def take(self, key_id: str, now: int) -> Optional[Decision]:
        """See :meth:`RedisStore.take`."""
        if self.layout.rate_limit is None:
            return None
        d = await self._limit(self.layout.rate(key_id), "key", self.layout.rate_limit, True, now)
        if not d.allowed:
            raise RateLimited("rate_limited", d)
        return d

