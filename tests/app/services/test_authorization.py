"""Authorisation of every public service method: the case types, the cast, and the registry check.

The group files (``test_authorization_practice``, ``_library``, ``_admin``, ``_staff``) each map
"service.method" to how that method is guarded and run those cases on one shared world.  The test
here fails as soon as a service on ``Services`` gains a public method that no group file covers.

A case says who must be refused (and with which error), who must get through, whose results must
not reveal someone else's data, or why the method is open to any user or takes no principal.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from app.bootstrap import Services
from app.services.errors import NotFound, PermissionDenied
from app.services.principal import Principal, Role
from tests.builders import PASSWORD

GROUPS = (
    "tests.app.services.test_authorization_practice",
    "tests.app.services.test_authorization_library",
    "tests.app.services.test_authorization_admin",
    "tests.app.services.test_authorization_staff",
)

# name in the cases -> (username, role); Spring is the facilitator's cohort, Autumn the rival's
CAST: dict[str, tuple[str, Role]] = {
    "owner": ("lee", Role.LEARNER),
    "other": ("oz", Role.LEARNER),
    "peer": ("pat", Role.PEER),
    "facilitator": ("fran", Role.FACILITATOR),
    "rival": ("finn", Role.FACILITATOR),
    "admin": ("ada", Role.ADMIN),
}
SPRING = ("lee", "pat", "fran")
AUTUMN = ("oz",)
EVERYONE = ("other", "peer", "facilitator", "rival", "admin", "owner")
NOT_OWNER = ("other", "peer", "facilitator", "rival")


@dataclass
class World:
    """The services, the cast of principals and the ids of what the cases act on."""

    s: Services
    who: dict[str, Principal]
    ids: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.ids[key]


Call = Callable[[World, Principal], Any]


@dataclass(frozen=True)
class Refused:
    """Each principal in ``wrong`` gets its error; each in ``allowed`` gets through."""

    call: Call
    wrong: Mapping[str, type[Exception]]
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filtered:
    """Callable by these principals, but only ``shown_to`` get a result that ``reveals`` it."""

    call: Call
    reveals: Callable[[World, Any], bool]
    hidden_from: tuple[str, ...]
    shown_to: tuple[str, ...]


@dataclass(frozen=True)
class Open:
    """Open to any logged-in user for ``reason``; ``call`` asserts it touched only their data."""

    reason: str
    call: Call
    users: tuple[str, ...] = EVERYONE


@dataclass(frozen=True)
class NoPrincipal:
    """Takes no principal (``reason``): login, internals behind checked methods, pure helpers."""

    reason: str


Case = Refused | Filtered | Open | NoPrincipal
Cases = dict[str, Case | tuple[Case, ...]]


def denied(*names: str) -> dict[str, type[Exception]]:
    """These principals' roles do not allow the action."""
    return dict.fromkeys(names, PermissionDenied)


def unseen(*names: str) -> dict[str, type[Exception]]:
    """For these principals the target does not exist."""
    return dict.fromkeys(names, NotFound)


def cast(services: Services) -> World:
    """Create the cast and their two cohorts; group files add what their cases act on."""
    system = Principal.system()
    who: dict[str, Principal] = {}
    for name, (username, role) in CAST.items():
        # principal_for instead of authenticate: one password hash per user keeps setup quick
        user = services.accounts.create_user(system, username, PASSWORD, {role})
        who[name] = services.accounts.principal_for(user.id)
    spring = services.cohorts.create_cohort(who["facilitator"], "Spring")
    autumn = services.cohorts.create_cohort(who["rival"], "Autumn")
    for cohort, usernames, by in ((spring, SPRING, "facilitator"), (autumn, AUTUMN, "rival")):
        for username in usernames:
            services.cohorts.add_member(who[by], cohort.id, username)
    return World(services, who, {"spring": spring.id, "autumn": autumn.id})


def each(cases: Cases) -> Iterator[tuple[str, Case]]:
    """Every (key, case), flattening keys that have several cases."""
    for key, value in cases.items():
        for case in value if isinstance(value, tuple) else (value,):
            yield key, case


def stored(world: World) -> dict[str, Any]:
    """Every stored row (the backup document's tables): refused calls must leave it unchanged."""
    return world.s.backup.export_all(Principal.system(), include_password_hashes=True)["tables"]


def check(world: World, cases: Cases) -> None:
    """Run the refusals (which must change nothing stored), then the calls that must work."""
    failures: list[str] = []
    before = stored(world)
    for key, case in each(cases):
        if isinstance(case, Refused):
            for name, error in case.wrong.items():
                failures += _refused(world, key, case.call, name, error)
        elif isinstance(case, Filtered):
            for name in case.hidden_from:
                failures += _result(world, key, case, name, expect=False)
    after = stored(world)
    changed = sorted(t for t in before if before[t] != after.get(t))
    if changed:
        failures.append(f"refused calls changed stored rows in: {', '.join(changed)}")
    for key, case in each(cases):
        if isinstance(case, Refused):
            for name in case.allowed:
                failures += _allowed(world, key, case.call, name)
        elif isinstance(case, Filtered):
            for name in case.shown_to:
                failures += _result(world, key, case, name, expect=True)
        elif isinstance(case, Open):
            for name in case.users:
                failures += _allowed(world, key, case.call, name)
    assert not failures, "\n".join(failures)


def _refused(world: World, key: str, call: Call, name: str, error: type[Exception]) -> list[str]:
    try:
        call(world, world.who[name])
    except error:
        return []
    except Exception as exc:
        return [f"{key}: {name} got {type(exc).__name__} ({exc}) instead of {error.__name__}"]
    return [f"{key}: {name} was let through"]


def _allowed(world: World, key: str, call: Call, name: str) -> list[str]:
    try:
        call(world, world.who[name])
    except Exception as exc:
        return [f"{key}: {name} was refused: {type(exc).__name__} ({exc})"]
    return []


def _result(world: World, key: str, case: Filtered, name: str, *, expect: bool) -> list[str]:
    try:
        revealed = case.reveals(world, case.call(world, world.who[name]))
    except Exception as exc:
        return [f"{key}: {name} was refused: {type(exc).__name__} ({exc})"]
    if revealed == expect:
        return []
    return [f"{key}: {name} " + ("did not get the target" if expect else "saw the target")]


# -- the registry covers every public method ------------------------------------------------------
def service_methods() -> dict[str, Callable[..., Any]]:
    """Every public method of every service reachable from ``Services``, keyed "service.method"."""
    found: dict[str, Callable[..., Any]] = {}

    def walk(prefix: str, holder: type) -> None:
        hints = typing.get_type_hints(holder)
        for f in fields(holder):
            kind = hints[f.name]
            if not (inspect.isclass(kind) and kind.__module__.startswith("app.services.")):
                continue  # settings, database, embedder, scorer...: not services
            if is_dataclass(kind):  # a bundle such as the practice room
                walk(f"{prefix}{f.name}.", kind)
                continue
            for name, member in inspect.getmembers(kind):
                if name.startswith("_"):
                    continue
                if inspect.isfunction(member) or inspect.ismethod(member):
                    found[f"{prefix}{f.name}.{name}"] = member

    walk("", Services)
    return found


def registry() -> Cases:
    """The cases of every group file, merged."""
    merged: Cases = {}
    for module in GROUPS:
        cases: Cases = importlib.import_module(module).CASES
        assert not set(cases) & set(merged), f"{module} repeats keys"
        merged |= cases
    return merged


def _takes_principal(method: Callable[..., Any]) -> bool:
    # annotations are strings under ``from __future__ import annotations``
    return any(
        p.annotation in (Principal, "Principal")
        for p in inspect.signature(method).parameters.values()
    )


def test_the_registry_covers_every_public_service_method() -> None:
    methods, cases = service_methods(), registry()
    assert len(methods) > 100, "introspection found too few methods"
    missing = sorted(set(methods) - set(cases))
    stale = sorted(set(cases) - set(methods))
    assert not missing, f"public methods without an authorisation case: {missing}"
    assert not stale, f"cases for methods that no longer exist: {stale}"


def test_only_methods_without_a_principal_are_listed_as_such() -> None:
    methods = service_methods()
    for key, case in each(registry()):
        # class names, not isinstance: a group module may hold its own import of this file
        unguarded = type(case).__name__ == "NoPrincipal"
        assert _takes_principal(methods[key]) != unguarded, key
        reason = getattr(case, "reason", None)
        assert reason is None or len(reason) > 20, f"{key}: say why it needs no check"


def test_every_not_found_refusal_is_paired_with_a_principal_who_gets_through() -> None:
    # a NotFound caused by a wrong id would pass as a refusal: someone must succeed with the call
    for key, case in each(registry()):
        if NotFound in getattr(case, "wrong", {}).values():
            assert getattr(case, "allowed", ()), f"{key}: nobody is shown to get through"
        if type(case).__name__ == "Filtered":
            assert getattr(case, "hidden_from", ()) and getattr(case, "shown_to", ()), key
