"""The wire shapes of the built-in accounts: Better Auth's email/password flow, field for
field, so a frontend written for Better Auth works unchanged."""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.accounts import Account, Session


class SignUpRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/auth/sign-up/email``. ``callbackURL``, ``rememberMe`` and ``image`` are
    accepted for Better Auth clients and ignored."""

    email: str
    password: str
    name: str
    callback_url: str | None = msgspec.field(default=None, name="callbackURL")
    remember_me: bool | None = msgspec.field(default=None, name="rememberMe")
    image: str | None = None


class SignInRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/auth/sign-in/email`` (``callbackURL``, ``rememberMe`` ignored)."""

    email: str
    password: str
    callback_url: str | None = msgspec.field(default=None, name="callbackURL")
    remember_me: bool | None = msgspec.field(default=None, name="rememberMe")


class UserView(msgspec.Struct, rename="camel"):
    """The user object of Better Auth's answers."""

    id: str
    name: str
    email: str
    email_verified: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, account: Account) -> UserView:
        return cls(account.user_id, account.name, account.email, account.email_verified, account.created_at,
                   account.updated_at)  # fmt: skip


class SessionView(msgspec.Struct, rename="camel"):
    """The session object of ``get-session`` (its token is never sent back: only its hash is kept)."""

    id: str
    user_id: str
    expires_at: datetime
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, session: Session) -> SessionView:
        return cls(session.id, session.user_id, session.expires_at, session.created_at, session.updated_at)


class SignUpAnswer(msgspec.Struct):
    """``token`` is the session token (as Better Auth answers), not a JWT."""

    token: str
    user: UserView


class SignInAnswer(msgspec.Struct):
    redirect: bool
    token: str
    user: UserView


class SessionAnswer(msgspec.Struct):
    session: SessionView
    user: UserView


class TokenAnswer(msgspec.Struct):
    """A 15-minute JWT of the built-in issuer (``sub`` = the user id)."""

    token: str


class SignOutAnswer(msgspec.Struct):
    success: bool
