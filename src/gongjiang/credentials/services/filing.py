"""The bureau's filings of evaluation bodies (备案评价机构) and its switch of the 一体化 rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongjiang.core import audit, clock
from gongjiang.core.actors import Actor
from gongjiang.core.policies import require
from gongjiang.core.versions import require_version
from gongjiang.credentials import numbers
from gongjiang.credentials import policies as _policies  # noqa: F401  (registers the rules)
from gongjiang.credentials.models import (
    BodyKind,
    Filing,
    FilingEvent,
    FilingEventKind,
    FilingOccupation,
    FilingStatus,
    IntegratedEquivalence,
)
from gongjiang.directory.models import Organisation, OrganisationKind
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concept_get

# Which organisations may be filed as which kind of body.
_KINDS_FOR = {
    BodyKind.EVALUATION_ORGANISATION: {OrganisationKind.EVALUATOR},
    BodyKind.EMPLOYER: {OrganisationKind.ENTERPRISE},
    BodyKind.SCHOOL: {OrganisationKind.SCHOOL},
}
MAX_OCCUPATIONS = 200
MAX_YEARS = 10
REASON_LENGTH = 500


def _bureau_of(actor: Actor) -> Organisation:
    if actor.organisation_id is None:
        raise ValidationError(_("备案须由人社部门办理。"))
    return Organisation.objects.get(pk=actor.organisation_id)


def _filing_bureau(actor: Actor, organisation: Organisation) -> Organisation:
    """The bureau the filing is made by: the actor's own; for the platform's operator (the command
    line, the demo), the nearest bureau over the organisation's region."""
    if actor.organisation_id is not None:
        return _bureau_of(actor)
    code = organisation.region_code
    nearest = (
        Organisation.objects.filter(
            kind=OrganisationKind.BUREAU, region_code__in=[code, code[:4] + "00", code[:2] + "0000"]
        )
        .order_by("-region_code")
        .first()
    )
    if nearest is None:
        raise ValidationError(_("备案须由人社部门办理。"))
    return nearest


def _occupations(occupations: Mapping[str, int], on_date: dt.date) -> dict[str, int]:
    if not occupations:
        raise ValidationError({"occupations": _("请至少填写一个可评价的职业。")})
    if len(occupations) > MAX_OCCUPATIONS:
        raise ValidationError({"occupations": _("一次备案最多%(n)d个职业。") % {"n": MAX_OCCUPATIONS}})
    checked: dict[str, int] = {}
    for code, level in occupations.items():
        code = str(code).strip()[:16]
        concept = concept_get(Scheme.OCCUPATION, code, on_date)
        if concept is None:
            raise ValidationError({"occupations": _("职业代码“%(code)s”不是职业分类大典中的职业。") % {"code": code}})
        if not isinstance(level, int) or not 1 <= level <= 5:
            raise ValidationError(
                {"occupations": _("职业“%(code)s”的最高等级应为1（高级技师）至5（初级工）。") % {"code": code}}
            )
        checked[concept.code] = level
    return checked


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写原因。")})
    if len(reason) > REASON_LENGTH:
        raise ValidationError({"reason": _("原因最多%(n)d个字。") % {"n": REASON_LENGTH}})
    return reason


def filing_create(
    *,
    actor: Actor,
    organisation: Organisation,
    body_kind: str,
    occupations: Mapping[str, int],
    valid_from: dt.date,
    valid_until: dt.date,
) -> Filing:
    """File `organisation` as an evaluation body for `occupations` (大典 code → highest level)."""
    require(actor, "credentials.filing.write", organisation)
    if body_kind not in BodyKind.values:
        raise ValidationError({"body_kind": _("评价机构类型“%(value)s”未知。") % {"value": body_kind}})
    if organisation.kind not in _KINDS_FOR[BodyKind(body_kind)]:
        raise ValidationError(
            {
                "body_kind": _("“%(name)s”不能备案为%(kind)s。")
                % {"name": organisation.name, "kind": BodyKind(body_kind).label}
            }
        )
    if not organisation.is_active:
        raise ValidationError({"organisation": _("“%(name)s”已停用，不能备案。") % {"name": organisation.name}})
    if valid_until <= valid_from:
        raise ValidationError({"valid_until": _("有效期止应晚于有效期起。")})
    if (valid_until - valid_from).days > MAX_YEARS * 366:
        raise ValidationError({"valid_until": _("备案有效期最长%(n)d年。") % {"n": MAX_YEARS}})
    checked = _occupations(occupations, valid_from)
    bureau = _filing_bureau(actor, organisation)
    with transaction.atomic():
        filing = Filing.objects.create(
            number=numbers.new_number("filing", valid_from.year),
            organisation=organisation,
            body_kind=body_kind,
            filed_by=bureau,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        FilingOccupation.objects.bulk_create(
            FilingOccupation(filing=filing, occupation_code=code, highest_level=level)
            for code, level in checked.items()
        )
        event = FilingEvent.objects.create(filing=filing, kind=FilingEventKind.FILE, effective_on=valid_from)
        _record_event(actor, event, organisation)
        audit.record(
            actor=actor,
            action="filing.create",
            entity=filing,
            after={**audit.snapshot(filing), "occupations": checked},
            owner=organisation,
        )
    return filing


def _record_event(actor: Actor, event: FilingEvent, organisation: Organisation) -> None:
    # The history row is a write of its own; the filing's entry says what changed on the filing.
    audit.record(actor=actor, action="filing.event", entity=event, after=audit.snapshot(event), owner=organisation)


def _change(
    *, actor: Actor, filing: Filing, version: int, reason: str, to: str, kind: str, allowed_from: set[str]
) -> Filing:
    require(actor, "credentials.filing.write", filing.organisation)
    reason = _reason(reason)
    with transaction.atomic():
        locked = Filing.objects.select_for_update().get(pk=filing.pk)
        require_version(locked.version, version)
        if locked.status not in allowed_from:
            raise ValidationError(
                {"status": _("备案%(number)s当前为“%(status)s”，不能这样变更。")
                 % {"number": locked.number, "status": FilingStatus(locked.status).label}}
            )  # fmt: skip
        before = audit.snapshot(locked)
        locked.status = to
        locked.status_reason = reason
        locked.version += 1
        locked.save(update_fields=["status", "status_reason", "version"])
        event = FilingEvent.objects.create(filing=locked, kind=kind, reason=reason, effective_on=clock.today())
        _record_event(actor, event, locked.organisation)
        audit.record(
            actor=actor,
            action=f"filing.{kind}",
            entity=locked,
            before=before,
            after=audit.snapshot(locked),
            owner=locked.organisation,
        )
    return locked


def filing_suspend(*, actor: Actor, filing: Filing, version: int, reason: str) -> Filing:
    return _change(
        actor=actor, filing=filing, version=version, reason=reason, to=FilingStatus.SUSPENDED,
        kind=FilingEventKind.SUSPEND, allowed_from={FilingStatus.ACTIVE},
    )  # fmt: skip


def filing_reinstate(*, actor: Actor, filing: Filing, version: int, reason: str) -> Filing:
    return _change(
        actor=actor, filing=filing, version=version, reason=reason, to=FilingStatus.ACTIVE,
        kind=FilingEventKind.REINSTATE, allowed_from={FilingStatus.SUSPENDED},
    )  # fmt: skip


def filing_end(*, actor: Actor, filing: Filing, version: int, reason: str) -> Filing:
    """End a filing for good: it covers nothing from today; certificates already issued stay valid."""
    return _change(
        actor=actor, filing=filing, version=version, reason=reason, to=FilingStatus.ENDED,
        kind=FilingEventKind.END, allowed_from={FilingStatus.ACTIVE, FilingStatus.SUSPENDED},
    )  # fmt: skip


EQUIVALENCE_AHEAD_DAYS = 366


def equivalence_switch(*, actor: Actor, enabled: bool, effective_on: dt.date, reason: str) -> IntegratedEquivalence:
    """Switch the 一体化 equivalence on or off for the bureau's region from `effective_on` (at most a
    year ahead). A switch that changes nothing (the bureau's latest switch, in force by then,
    already says the same) is refused, so the history holds only real changes."""
    bureau = (
        Organisation.objects.filter(pk=actor.organisation_id, kind=OrganisationKind.BUREAU).first()
        if actor.organisation_id is not None
        else None
    )
    require(actor, "credentials.equivalence.switch", bureau)
    if bureau is None:
        raise ValidationError(_("一体化等效认定规则须由人社部门切换。"))
    reason = _reason(reason)
    if effective_on > clock.today() + dt.timedelta(days=EQUIVALENCE_AHEAD_DAYS):
        raise ValidationError({"effective_on": _("生效日期最晚为一年之内。")})
    with transaction.atomic():
        # One switch of a bureau at a time: the check below reads what the last one wrote.
        Organisation.objects.select_for_update().filter(pk=bureau.pk).first()
        latest = IntegratedEquivalence.objects.filter(bureau=bureau).order_by("-effective_on", "-id").first()
        if latest is not None and latest.enabled == enabled and latest.effective_on <= effective_on:
            raise ValidationError(
                {"enabled": _("本部门的一体化等效认定规则自%(date)s起已是“%(state)s”，无需再切换。")
                 % {"date": latest.effective_on.isoformat(), "state": _("启用") if enabled else _("停用")}}
            )  # fmt: skip
        switch = IntegratedEquivalence.objects.create(
            bureau=bureau, enabled=enabled, effective_on=effective_on, reason=reason
        )
        audit.record(
            actor=actor, action="equivalence.switch", entity=switch, after=audit.snapshot(switch), owner=bureau
        )
    return switch
