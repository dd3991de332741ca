"""Built-in accounts: sign up, sign in, sign out, the current session, and a short-lived
JWT for it. Passwords are hashed by the ``PasswordHasher`` port (never inside a
transaction: a hash takes tens of milliseconds); sessions are random tokens stored as hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace

from application.account_schemas import SignInRequest, SignUpRequest
from application.errors import Conflict, EmailTaken, InvalidCredentials, NotSignedIn
from application.limits import AuthAttemptLimits
from application.ports import Clock, PasswordHasher, RateDecision, TokenIssuer, UnitOfWork
from domain.accounts import (
    PASSWORD_MAX,
    SESSION_LIFETIME,
    Account,
    Session,
    check_password,
    normalize_email,
    normalize_name,
)
from domain.errors import ValidationError

TOKEN_TTL_SECONDS = 15 * 60
MAX_SESSION_TOKEN = 200


def hash_session_token(token: str) -> str:
    """What the store keeps of a session token (the token has 256 random bits: a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_user_id() -> str:
    """A random, opaque user id (never derived from the e-mail)."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session: ``token`` goes into the cookie and is never stored; ``quota`` is the
    tightest attempt limit after this attempt (None when the limits are off)."""

    account: Account
    session: Session
    token: str
    quota: RateDecision | None = None


@dataclass(frozen=True, slots=True)
class SessionState:
    """A valid session and its account; ``renewed`` when its expiry just moved (the cookie
    should be sent again), ``jwt`` when one was asked for."""

    account: Account
    session: Session
    renewed: bool = False
    jwt: str | None = None


class _Sessions:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def _new_session(self, user_id: str) -> tuple[Session, str]:
        now = self._clock.now()
        token = secrets.token_urlsafe(32)
        session = Session(
            secrets.token_urlsafe(16), user_id, hash_session_token(token), now + SESSION_LIFETIME, now, now
        )
        return session, token


class SignUp(_Sessions):
    """Create an account with an e-mail, a name and a password (8..128 characters), and
    sign it in. The e-mail is trimmed and lower-cased; one account per e-mail."""

    def __init__(self, uow: UnitOfWork, clock: Clock, hasher: PasswordHasher, limits: AuthAttemptLimits) -> None:
        super().__init__(uow, clock)
        self._hasher = hasher
        self._limits = limits

    async def execute(self, request: SignUpRequest, client_ip: str | None) -> SignedIn:
        """The new account and its first session; ``EmailTaken`` when the e-mail has one."""
        email, name = normalize_email(request.email), normalize_name(request.name)
        check_password(request.password)
        quota = await self._limits.check(email, client_ip)
        async with self._uow.begin() as tx:
            if await tx.accounts.by_email(email) is not None:
                raise EmailTaken(quota)
        password_hash = await self._hasher.hash(request.password)
        now = self._clock.now()
        account = Account(new_user_id(), email, name, password_hash, now, now)
        session, token = self._new_session(account.user_id)
        try:
            async with self._uow.begin() as tx:
                await tx.accounts.add(account)
                await tx.sessions.add(session)
                await tx.commit()
        except Conflict:  # the same e-mail signed up concurrently
            raise EmailTaken(quota) from None
        return SignedIn(account, session, token, quota)


class SignIn(_Sessions):
    """Sign in with e-mail and password. An unknown e-mail and a wrong password get the same
    answer in about the same time (a dummy hash is checked for an unknown e-mail)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, hasher: PasswordHasher, limits: AuthAttemptLimits) -> None:
        super().__init__(uow, clock)
        self._hasher = hasher
        self._limits = limits

    async def execute(self, request: SignInRequest, client_ip: str | None) -> SignedIn:
        """A new session; ``InvalidCredentials`` otherwise."""
        email = normalize_email(request.email)
        if len(request.password) > PASSWORD_MAX:
            raise ValidationError.single("password", f"must be at most {PASSWORD_MAX} characters")
        quota = await self._limits.check(email, client_ip)
        async with self._uow.begin() as tx:
            account = await tx.accounts.by_email(email)
        stored = account.password_hash if account is not None else None
        if not await self._hasher.verify(stored, request.password) or account is None:
            raise InvalidCredentials(quota)
        if self._hasher.needs_rehash(account.password_hash):
            account = replace(account, password_hash=await self._hasher.hash(request.password))
        session, token = self._new_session(account.user_id)
        async with self._uow.begin() as tx:
            if account.password_hash != stored:
                await tx.accounts.set_password_hash(account.user_id, account.password_hash, session.created_at)
            await tx.sessions.delete_expired(account.user_id, session.created_at)
            await tx.sessions.add(session)
            await tx.commit()
        return SignedIn(account, session, token, quota)


class SignOut:
    """Sign out: the session is revoked on the server (its cookie no longer works anywhere)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, session_token: str | None) -> None:
        """Revoke the session of this token, if any (signing out twice is not an error)."""
        if not session_token or len(session_token) > MAX_SESSION_TOKEN:
            return
        async with self._uow.begin() as tx:
            await tx.sessions.delete(hash_session_token(session_token))
            await tx.commit()


class CurrentSession:
    """The signed-in user of a session token. A session is good for seven days and renewed
    on use (at most once a day)."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, session_token: str | None) -> SessionState:
        """The session and its account; ``NotSignedIn`` when missing, unknown, expired or revoked."""
        if not session_token or len(session_token) > MAX_SESSION_TOKEN:
            raise NotSignedIn("not signed in")
        now = self._clock.now()
        async with self._uow.begin() as tx:
            session = await tx.sessions.by_token_hash(hash_session_token(session_token))
            account = await tx.accounts.by_id(session.user_id) if session is not None else None
            if session is None or account is None or session.is_expired(now):
                raise NotSignedIn("not signed in")
            if not session.due_for_renewal(now):
                return SessionState(account, session)
            session = replace(session, expires_at=now + SESSION_LIFETIME, updated_at=now)
            await tx.sessions.extend(session.id, session.expires_at, now)
            await tx.commit()
        return SessionState(account, session, renewed=True)


class IssueSessionToken:
    """A 15-minute bearer token (JWT of the server's own issuer, ``sub`` = the user id) for
    the signed-in user: what the web page sends to ``/api/{user_id}/...``."""

    def __init__(self, current: CurrentSession, issuer: TokenIssuer) -> None:
        self._current = current
        self._issuer = issuer

    async def execute(self, session_token: str | None) -> SessionState:
        """The session state with ``jwt`` set; ``NotSignedIn`` without a valid session."""
        state = await self._current.execute(session_token)
        return replace(state, jwt=self._issuer.issue(state.account.user_id, TOKEN_TTL_SECONDS))
