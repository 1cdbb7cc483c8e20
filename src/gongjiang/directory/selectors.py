"""Reading organisations, people and accounts, always through the actor's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Literal, overload

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from gongjiang.core.actors import PUBLIC, Actor
from gongjiang.core.scope import ActorKind, get_scoped_or_404, scoped
from gongjiang.directory.models import Membership, Organisation, Person, SignInFailure, TwoFactor, User

# Where the session keeps the organisation a member of several acts for (set by the portal,
# read by the middleware).
ACTIVE_ORGANISATION_SESSION_KEY = "active_organisation"


def actor_for_user(user: User | None, organisation_code: str | None = None) -> Actor:
    """Resolve a signed-in user to an actor.

    A user with several memberships acts for the one chosen (`organisation_code`, kept in the
    session), else for the first. Superusers act as operators. A user with no membership but a
    bound person is a learner.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return PUBLIC
    if user.is_superuser:
        return Actor(kind=ActorKind.OPERATOR, username=user.username, user_id=user.pk)
    memberships = list(user.memberships.select_related("organisation").order_by("id"))
    chosen = next(
        (m for m in memberships if m.organisation.code == organisation_code),
        memberships[0] if memberships else None,
    )
    if chosen is not None and chosen.organisation.is_active:
        org = chosen.organisation
        return Actor(
            kind=ActorKind(org.kind),
            username=user.username,
            user_id=user.pk,
            organisation_id=org.pk,
            organisation_code=org.code,
            organisation_name=org.name,
            region_code=org.region_code,
            role=chosen.role,
            person_id=user.person_id,
        )
    if user.person_id is not None:
        return Actor(kind=ActorKind.LEARNER, username=user.username, user_id=user.pk, person_id=user.person_id)
    return PUBLIC


def organisation_list(*, actor: Actor, kind: str | None = None, q: str = "") -> QuerySet[Organisation]:
    qs = scoped(Organisation.objects.all(), actor)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__contains=q) | qs.filter(code__startswith=q)
    return qs.order_by("kind", "region_code", "code")


def organisation_get(*, actor: Actor, code: str) -> Organisation:
    return get_scoped_or_404(Organisation.objects.select_related("parent"), actor, code=code)


@overload
def acting_organisation(
    actor: Actor, *, kinds: Collection[str] = (), roles: Collection[str] = (), required: Literal[True] = True
) -> Organisation: ...
@overload
def acting_organisation(
    actor: Actor, *, kinds: Collection[str] = (), roles: Collection[str] = (), required: Literal[False]
) -> Organisation | None: ...
def acting_organisation(
    actor: Actor, *, kinds: Collection[str] = (), roles: Collection[str] = (), required: bool = True
) -> Organisation | None:
    """The organisation the actor acts for, read through the actor's scope, when the actor has one
    and is of one of `kinds` with one of `roles` (either left empty: any). Otherwise PermissionDenied
    (a 403, the same for every actor refused), or None when not `required`: the one answer to
    "whose school is this page about", for every page and endpoint."""
    if not actor.organisation_code or (kinds and actor.kind not in kinds) or (roles and actor.role not in roles):
        if required:
            raise PermissionDenied
        return None
    return organisation_get(actor=actor, code=actor.organisation_code)


def organisation_of(*, actor: Actor) -> Organisation | None:
    if actor.organisation_id is None:
        return None
    return Organisation.objects.filter(pk=actor.organisation_id).first()


def membership_list(*, actor: Actor, organisation: Organisation) -> QuerySet[Membership]:
    return scoped(Membership.objects.filter(organisation=organisation), actor).select_related("user")


def person_of(*, actor: Actor) -> Person | None:
    if actor.person_id is None:
        return None
    return Person.objects.filter(pk=actor.person_id).first()


def memberships_of_user(*, actor: Actor) -> QuerySet[Membership]:
    """The organisations the signed-in user may act for (the header's organisation switch)."""
    if actor.user_id is None:
        return Membership.objects.none()
    return Membership.objects.filter(user_id=actor.user_id, organisation__is_active=True).select_related("organisation")


def organisation_by_code(*, code: str) -> Organisation:
    """An organisation named by its code, outside the actor's scope: used to name a partner (the
    enterprise of an order class) whose records the actor may not read. Only its identity is used."""
    org = Organisation.objects.filter(code=code, is_active=True).first()
    if org is None:
        raise Http404
    return org


def account_members(*, actor: Actor) -> QuerySet[Membership]:
    """The members of the organisation the actor administers (empty for anyone else)."""
    if actor.role != "admin" or actor.organisation_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(organisation_id=actor.organisation_id)
        .select_related("user", "organisation")
        .order_by("user__username")
    )


def account_member_get(*, actor: Actor, membership_id: int) -> Membership:
    """One member of the actor's own organisation; any other (another school's) is 404."""
    membership = account_members(actor=actor).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


def accounts_locked(*, usernames: list[str]) -> set[str]:
    """Which of these account names are locked out of signing in right now."""
    return {name for name in usernames if signin_locked(username=name, address=None)}


def signin_window_start() -> dt.datetime:
    """The start of the period whose refused sign-ins count towards a lock."""
    return timezone.now() - dt.timedelta(seconds=settings.SIGNIN_WINDOW_SECONDS)


def signin_locked(*, username: str, address: str | None) -> bool:
    """True when the name or the client address has had too many refused sign-ins lately."""
    recent = SignInFailure.objects.filter(at__gte=signin_window_start(), cleared=False)
    if recent.filter(username=username).count() >= settings.SIGNIN_FAILURES_PER_ACCOUNT:
        return True
    return bool(address) and recent.filter(address=address).count() >= settings.SIGNIN_FAILURES_PER_ADDRESS


def two_factor_of(user: User) -> TwoFactor | None:
    """The user's authenticator, confirmed or still being set up."""
    return TwoFactor.objects.filter(user_id=user.pk).first()


def two_factor_required(user: User) -> bool:
    """Whether this account must sign in with a code (settings.REQUIRE_2FA_FOR_BUREAU: every
    member of a bureau)."""
    return bool(settings.REQUIRE_2FA_FOR_BUREAU) and user.memberships.filter(organisation__kind="bureau").exists()


def users_with_two_factor(*, user_ids: list[int]) -> set[int]:
    """Which of these users sign in with a confirmed authenticator."""
    return set(
        TwoFactor.objects.filter(user_id__in=user_ids, confirmed_at__isnull=False).values_list("user_id", flat=True)
    )
