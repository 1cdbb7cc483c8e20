"""Who may change insight's records: a bureau sets targets for scopes inside its region and keeps
its own region's key industries."""

from __future__ import annotations

from typing import Any

from gongjiang.core.actors import Actor
from gongjiang.core.policies import oversees_region, rule
from gongjiang.core.scope import ActorKind


@rule("insight.target.write")
def _target_write(actor: Actor, scope_region_code: Any) -> bool:
    return actor.role in ("admin", "staff") and oversees_region(actor, str(scope_region_code))


@rule("insight.key_industry.write")
def _key_industry_write(actor: Actor, region_code: Any) -> bool:
    return actor.kind == ActorKind.BUREAU and actor.role in ("admin", "staff") and actor.region_code == region_code
