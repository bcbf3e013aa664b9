"""Limits on password guesses: the sign-in (per client address and per username)
and the current password asked by /password (per user).

Flask-Limiter's decorators check a limit before the view and, with `deduct_when`,
count the request only after the response: guesses sent together all passed the
check before the first failure was counted, so a burst as large as the servers'
workers × threads beat the limit. Here the view counts a wrong password itself, in
Flask-Limiter's storage (Redis when REDIS_URL is set, shared by every worker and
server) with its strategy (`limiter.limiter`, the moving window of
RATELIMIT_STRATEGY): `hit` adds the failure and says whether it fitted under the
limit in one atomic step (one Lua script in Redis, under a lock in memory), and the
answer depends on it. Of wrong guesses sent together, only as many as the limit
allows are answered "wrong"; the others get 429, and so does a right password while
the limit is full (checked again once judged), so a burst learns no more than the
limit allows. The check before judging stays, so that a full limit costs no
password hashing.

A guess is counted once judged wrong, not reserved before it is judged: the moving
window cannot give a hit back, so a reservation would count successful sign-ins
(an office behind one NAT would be locked out at the start of a contest), and
clearing the address's count on success would let anyone with an account reset it.
So the guesses of a burst that passed the first check are still hashed (work, no
answer), and a right password judged while the last free place is being taken
could still be let in: one guess more, at most, than the limit.
"""

import time
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from app.extensions import limiter


@dataclass(frozen=True)
class Guesses:
    """The limits one request's password guess is held to: (limit, identifiers in
    the storage) pairs."""

    limits: tuple[tuple[RateLimitItem, tuple[str, ...]], ...]

    @classmethod
    def of(cls, scope: str, *keyed: tuple[str, str]) -> "Guesses":
        """The limits of each (setting, key): the setting names a configuration
        value in Flask-Limiter's syntax ("5 per minute;20 per hour"); a pair with
        an empty key is left out; no limits at all when they are switched off
        (RATELIMIT_ENABLED)."""
        config = current_app.config
        if not config.get("RATELIMIT_ENABLED", True):
            return cls(())
        prefix = config.get("RATELIMIT_KEY_PREFIX") or ""
        limits = tuple(
            (item, tuple(part for part in (prefix, key, scope) if part))
            for setting, key in keyed
            if key
            for item in parse_many(config[setting])
        )
        return cls(limits)

    def allowed(self) -> bool:
        """Whether one more wrong guess would still fit under every limit (a
        reading: checked again when the guess has been judged)."""
        return all(limiter.limiter.test(item, *ids) for item, ids in self.limits)

    def count_wrong(self) -> bool:
        """Count a wrong guess against every limit; whether it fitted under all of
        them (False: answer 429, not "wrong"). Every limit is hit, even past a full
        one (a guess refused by the username's limit still counts for the
        address); a full limit takes no more."""
        fitted = [limiter.limiter.hit(item, *ids) for item, ids in self.limits]
        return all(fitted)

    def retry_after(self) -> int:
        """Seconds until every full limit has room again."""
        waits = [0]
        for item, ids in self.limits:
            stats = limiter.limiter.get_window_stats(item, *ids)
            if stats.remaining <= 0:
                waits.append(int(stats.reset_time - time.time()) + 1)
        return max(waits)

    def refused(self) -> TooManyRequests:
        """The 429 to raise (the app's page "Quá nhiều yêu cầu", Retry-After)."""
        return TooManyRequests(retry_after=self.retry_after())
