"""Administration commands: ``init``, ``user add``, ``demo``."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.cli.context import CliContext, CliError
from app.services.errors import Conflict
from app.services.principal import Principal, Role

DEMO_PASSWORD = "coachlab-demo"  # noqa: S105 - documented demo credential, demo data only
DEMO_USERS: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("learner", "Lee Learner", (Role.LEARNER,)),
    ("peer", "Pat Peer", (Role.PEER, Role.LEARNER)),
    ("facilitator", "Fran Facilitator", (Role.FACILITATOR,)),
    ("admin", "Ada Admin", (Role.ADMIN,)),
)


def register(sub: Any) -> None:
    """Add the administration sub-commands."""
    p = sub.add_parser("init", help="create or upgrade the database and load built-in content")
    p.set_defaults(func=cmd_init)

    user = sub.add_parser("user", help="manage local users")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_sub.add_parser(
        "add", help="add a user (password read from stdin, or prompted on a terminal)"
    )
    add.add_argument("name", help="username: lowercase letters, digits, '.', '_' or '-'")
    add.add_argument(
        "--role",
        action="append",
        required=True,
        choices=[r.value for r in Role],
        help="role to grant; repeat for several",
    )
    add.add_argument("--display-name", help="name shown in the app (default: the username)")
    add.add_argument("--email", help="email address (optional)")
    add.set_defaults(func=cmd_user_add)
    pw = user_sub.add_parser("passwd", help="set a user's password (stdin or a prompt)")
    pw.add_argument("name")
    pw.set_defaults(func=cmd_user_passwd)
    for action, verb in (("deactivate", "log out everywhere and block"), ("activate", "restore")):
        toggle = user_sub.add_parser(action, help=f"{verb} a user's access (their data stays)")
        toggle.add_argument("name")
        toggle.set_defaults(func=cmd_user_active, active=action == "activate")
    lst = user_sub.add_parser("list", help="list users and their roles")
    lst.set_defaults(func=cmd_user_list)

    demo = sub.add_parser("demo", help="seed one demo user per role and the demo content")
    demo.set_defaults(func=cmd_demo)


def cmd_init(args: argparse.Namespace, ctx: CliContext) -> int:
    """Create or upgrade the database."""
    services = ctx.services(prepare=False)
    before = services.db.current_revision()
    report = services.prepare()
    after = services.db.current_revision()
    state = "created" if before is None else ("upgraded" if before != after else "up to date")
    print(f"database {state} at revision {after} ({_safe_url(services.db.url)})")
    for item in report.added:
        print(f"loaded {item}")
    for error in report.errors:
        print(f"warning: skipped invalid content: {error}", file=sys.stderr)
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != first:
            raise CliError("the passwords do not match")
        return first
    line = sys.stdin.readline()
    if not line:
        raise CliError("no password on standard input")
    return line.rstrip("\r\n")


def cmd_user_add(args: argparse.Namespace, ctx: CliContext) -> int:
    """Add a user with a password from stdin or a prompt."""
    services = ctx.services()
    password = _read_password()
    user = services.accounts.create_user(
        Principal.system(),
        args.name,
        password,
        {Role(r) for r in args.role},
        display_name=args.display_name,
        email=args.email,
    )
    print(f"added user {user.username} with roles {', '.join(user.roles)}")
    return 0


def cmd_user_passwd(args: argparse.Namespace, ctx: CliContext) -> int:
    """Set a user's password from stdin or a prompt."""
    services = ctx.services()
    known = {u.username for u in services.accounts.list_users(Principal.system())}
    if args.name not in known:  # say so before asking for a password
        raise CliError(f"unknown user '{args.name}' (see `coachlab user list`)")
    services.accounts.set_password(Principal.system(), args.name, _read_password())
    print(f"password set for {args.name}")
    return 0


def cmd_user_active(args: argparse.Namespace, ctx: CliContext) -> int:
    """Deactivate or reactivate a user."""
    user = ctx.services().accounts.set_active(Principal.system(), args.name, args.active)
    print(f"{user.username} is {'active' if user.active else 'deactivated'}")
    return 0


def cmd_user_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print users, roles and whether each is active."""
    for user in ctx.services().accounts.list_users(Principal.system()):
        state = "active" if user.active else "deactivated"
        print(f"{user.username}\t{','.join(user.roles)}\t{user.display_name}\t{state}")
    return 0


def cmd_demo(args: argparse.Namespace, ctx: CliContext) -> int:
    """Seed the demo users (password 'coachlab-demo') and the built-in content."""
    services = ctx.services()
    for username, display, roles in DEMO_USERS:
        try:
            services.accounts.create_user(
                Principal.system(), username, DEMO_PASSWORD, set(roles), display_name=display
            )
            print(f"demo user {username} ({', '.join(r.value for r in roles)})")
        except Conflict:
            print(f"demo user {username} already exists")
    print(f"demo password for every demo user: {DEMO_PASSWORD}")
    from app.cli.library_commands import seed_demo_library  # the library owns its demo content

    print(f"demo library: {seed_demo_library(services)} exchanges added")
    return 0


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
