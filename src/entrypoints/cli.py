"""The ``todo-chatbot`` command: serve, migrate, token, keygen (and mcp)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from entrypoints.config import ConfigError, Settings, load_settings

EXIT_CONFIG = 2


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from entrypoints import ioc
    from entrypoints.http.app import create_app
    from entrypoints.http.connections import guarded_protocol
    from entrypoints.logs import configure_logging

    configure_logging(settings.log_level)
    if settings.auto_migrate:
        ioc.upgrade_database(settings)
    if ioc.ensure_signing_key(settings):
        print(f"Generated a signing key at {settings.signing_key_file}", file=sys.stderr)
    if not settings.production:
        print(
            f"Todo Chatbot on {settings.public_url} (docs: {settings.public_url}/docs). "
            + ("Open it in a browser and sign up, or get" if settings.accounts else "Get")
            + " a token with: todo-chatbot token USER_ID",
            file=sys.stderr,
        )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http=guarded_protocol(settings.http_header_timeout, settings.max_connections),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        server_header=False,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
    )
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from entrypoints import ioc

    action = args.action or "upgrade"
    if action == "upgrade":
        ioc.upgrade_database(settings, args.revision or "head")
        print(f"database at {ioc.current_revision(settings)}")
    elif action == "downgrade":
        if not args.revision:
            print("migrate downgrade needs a revision (e.g. -1, or base)", file=sys.stderr)
            return EXIT_CONFIG
        if args.revision == "base" and not args.yes:
            print(
                "migrate downgrade base drops every table and all the data in them; "
                "back up first (docs/operations.md), then add --yes",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        ioc.downgrade_database(settings, args.revision)
        print(f"database at {ioc.current_revision(settings) or 'base'}")
    else:
        print(ioc.current_revision(settings) or "base")
    return 0


def _token(settings: Settings, args: argparse.Namespace) -> int:
    from entrypoints import ioc

    try:
        print(ioc.issue_token(settings, args.user_id, args.ttl))
    except ValueError as exc:  # the issuer's own rules: user id length
        print(f"token: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


def _seconds(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number of seconds") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 second")
    return value


def _keygen(settings: Settings, args: argparse.Namespace) -> int:
    from entrypoints import ioc

    path = Path(args.path) if args.path else settings.signing_key_file
    if path.exists():
        print(f"{path} exists; refusing to overwrite it", file=sys.stderr)
        return EXIT_CONFIG
    ioc.write_signing_key(path)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _mcp(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio
    import contextlib

    from entrypoints import ioc
    from entrypoints.logs import configure_logging

    configure_logging(settings.log_level)  # stderr only: stdout carries the MCP protocol
    if not args.user.strip():
        print("mcp needs a non-empty --user", file=sys.stderr)
        return EXIT_CONFIG
    if settings.auto_migrate:
        with contextlib.redirect_stdout(sys.stderr):
            ioc.upgrade_database(settings)
    asyncio.run(_serve_mcp_stdio(settings, args.user))
    return 0


async def _serve_mcp_stdio(settings: Settings, user_id: str) -> None:
    from application.tools import TaskTools
    from entrypoints import ioc
    from entrypoints.mcp import run_stdio

    container = ioc.make_container(settings)
    try:
        await run_stdio(await container.get(TaskTools), user_id)
    finally:
        await container.close()


def _purge_trash(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

    from entrypoints import ioc

    purged = asyncio.run(ioc.purge_trash(settings))
    print(f"deleted {purged} task(s) that had been in the trash for over 30 days")
    return 0


def _check_storage(settings: Settings) -> None:
    from entrypoints import ioc

    ioc.check_storage(settings)


Command = Callable[[Settings, argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    from entrypoints.version import package_version

    parser = argparse.ArgumentParser(prog="todo-chatbot", description="Manage todo tasks by conversation.")
    parser.add_argument("--version", action="version", version=f"todo-chatbot {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate (unless AUTO_MIGRATE=false), then listen on HOST:PORT")
    serve.set_defaults(run=_serve)
    migrate = sub.add_parser("migrate", help="upgrade (default), downgrade REV, or show the current revision")
    migrate.add_argument("action", nargs="?", choices=["upgrade", "downgrade", "current"])
    migrate.add_argument("revision", nargs="?")
    migrate.add_argument("--yes", action="store_true", help="confirm a downgrade to base (drops every table)")
    migrate.set_defaults(run=_migrate)
    token = sub.add_parser("token", help="print a token of the built-in issuer for USER_ID")
    token.add_argument("user_id")
    token.add_argument("--ttl", type=_seconds, default=3600, help="lifetime in seconds (default 3600)")
    token.set_defaults(run=_token)
    keygen = sub.add_parser("keygen", help="write a new Ed25519 signing key (AUTH_SIGNING_KEY_FILE by default)")
    keygen.add_argument("path", nargs="?")
    keygen.set_defaults(run=_keygen)
    purge = sub.add_parser("purge-trash", help="delete for good what has been in the trash for over 30 days")
    purge.set_defaults(run=_purge_trash)
    mcp = sub.add_parser("mcp", help="serve the task tools over MCP on stdin/stdout for one local user")
    mcp.add_argument("--user", required=True, metavar="USER_ID", help="the user the tools act for")
    mcp.set_defaults(run=_mcp)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; exit code 2 on invalid configuration."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        _check_storage(settings)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    run: Command = args.run
    return run(settings, args)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
