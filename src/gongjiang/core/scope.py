"""The scoping rule (DESIGN.md rule 2), in one place.

Every model that people read declares `scope = ScopePaths(...)`: the paths from a row to the
organisation that owns it, to its region code, to the person it is about, and which rows are
public. `scoped()` turns an actor into the matching filter:

- operator (platform administrators and the command line): everything;
- bureau: rows whose region code lies in the bureau's region (a province sees its cities);
- school, enterprise, evaluation body: rows owned by that organisation;
- learner: rows about that person;
- anyone, signed in or not: rows the model marks public.

A row outside the scope is indistinguishable from a row that does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from gongjiang.core.actors import Actor

M = TypeVar("M", bound=Model)


class ActorKind(StrEnum):
    OPERATOR = "operator"
    BUREAU = "bureau"
    SCHOOL = "school"
    ENTERPRISE = "enterprise"
    EVALUATOR = "evaluator"
    LEARNER = "learner"
    PUBLIC = "public"


@dataclass(frozen=True)
class ScopePaths:
    # One path, or several when a record has two owners (an internship: the school and the enterprise).
    organisation: str | tuple[str, ...] | None = None
    region: str | None = None
    person: str | None = None
    public: Q | None = None


def region_prefix(region_code: str) -> str:
    """The code prefix a region covers: 150000 → "15", 150200 → "1502", 150203 → "150203"."""
    if len(region_code) == 6 and region_code.isdigit():
        if region_code.endswith("0000"):
            return region_code[:2]
        if region_code.endswith("00"):
            return region_code[:4]
    return region_code


def scope_q(actor: Actor, paths: ScopePaths) -> Q:
    nothing = Q(pk__in=[])
    public = paths.public if paths.public is not None else nothing
    if actor.kind == ActorKind.OPERATOR:
        return Q()
    if actor.kind == ActorKind.BUREAU and paths.region and actor.region_code:
        return Q(**{f"{paths.region}__startswith": region_prefix(actor.region_code)}) | public
    if (
        actor.kind in (ActorKind.SCHOOL, ActorKind.ENTERPRISE, ActorKind.EVALUATOR)
        and paths.organisation
        and actor.organisation_id is not None
    ):
        owners = (paths.organisation,) if isinstance(paths.organisation, str) else paths.organisation
        mine = Q(pk__in=[])
        for path in owners:
            mine |= Q(**{path: actor.organisation_id})
        return mine | public
    if actor.kind == ActorKind.LEARNER and paths.person and actor.person_id is not None:
        return Q(**{paths.person: actor.person_id}) | public
    return public


def scoped(queryset: QuerySet[M], actor: Actor) -> QuerySet[M]:
    """Filter any queryset to what the actor may see; models without `scope` are refused."""
    paths: ScopePaths | None = getattr(queryset.model, "scope", None)
    if paths is None:
        raise TypeError(f"{queryset.model.__name__} declares no scope; it cannot be read through selectors")
    return queryset.filter(scope_q(actor, paths))


def get_scoped_or_404(queryset: QuerySet[M], actor: Actor, **lookup: Any) -> M:
    """Fetch one row within the actor's scope; "absent" and "not yours" give the same 404."""
    try:
        return scoped(queryset, actor).get(**lookup)
    except queryset.model.DoesNotExist as exc:  # type: ignore[attr-defined]
        raise Http404 from exc
