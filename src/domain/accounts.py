"""Built-in accounts and their sign-in sessions: the rules for e-mails, names, passwords
and session lifetimes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import ValidationError

PASSWORD_MIN = 8
PASSWORD_MAX = 128
EMAIL_MAX = 254
NAME_MAX = 100
SESSION_LIFETIME = timedelta(days=7)
SESSION_RENEW_AFTER = timedelta(days=1)
"""A session used more than this after its last renewal gets a fresh seven days."""

# One "@", no spaces, a dot in the domain: what mail systems accept in practice, without
# pretending to validate RFC 5322 (deliverability is the mail server's business).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def normalize_email(raw: str, field: str = "email") -> str:
    """Trimmed and lower-cased, so one mailbox is one account; a malformed address is a
    validation error."""
    email = raw.strip().lower()
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise ValidationError.single(field, "must be an e-mail address such as ada@example.com")
    return email


def normalize_name(raw: str, field: str = "name") -> str:
    """A display name: trimmed, up to 100 characters (empty is allowed, as Better Auth does)."""
    name = raw.strip()
    if len(name) > NAME_MAX or "\x00" in name:
        raise ValidationError.single(field, f"must be at most {NAME_MAX} characters of text")
    return name


def check_password(password: str, field: str = "password") -> None:
    """8 to 128 characters; anything else about it is the user's choice."""
    if len(password) < PASSWORD_MIN:
        raise ValidationError.single(field, f"must be at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise ValidationError.single(field, f"must be at most {PASSWORD_MAX} characters")


@dataclass(frozen=True, slots=True)
class Account:
    """A user of the built-in accounts. ``user_id`` is random and opaque: it names the user
    in paths and tokens; the e-mail never does."""

    user_id: str
    email: str
    name: str
    password_hash: str
    created_at: datetime
    updated_at: datetime
    email_verified: bool = False


@dataclass(frozen=True, slots=True)
class Session:
    """A sign-in session. The token itself lives only in the user's cookie; the store keeps
    its hash."""

    id: str
    user_id: str
    token_hash: str
    expires_at: datetime
    created_at: datetime
    updated_at: datetime

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def due_for_renewal(self, now: datetime) -> bool:
        """Renewed on use, at most once a day (a write per request would be wasteful)."""
        return now - self.updated_at >= SESSION_RENEW_AFTER
