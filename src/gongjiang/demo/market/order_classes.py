"""Schools agree to an enterprise's order class and open the class."""

from __future__ import annotations

from collections.abc import Sequence

from gongjiang.demo.market.context import _Context, _Draft
from gongjiang.demo.market.profiles import _brand
from gongjiang.demo.market.tables import CLASS_LEVEL_NAMES
from gongjiang.directory.models import Organisation
from gongjiang.market import services
from gongjiang.market.models import (
    Posting,
    PostingKind,
    PostingStatus,
)
from gongjiang.registry.models import (
    MajorOffering,
)


def _order_classes(
    context: _Context, postings: list[tuple[_Draft, Posting]], schools: Sequence[Organisation], limit: int
) -> int:
    """A school that runs the major agrees to an enterprise's published order class and opens the
    class for next autumn's intake; the `school` persona's school first when it runs the major."""
    made = 0
    intake = context.today.year if context.today.month < 9 else context.today.year + 1
    order = {school.pk: n for n, school in enumerate(schools)}
    used: set[int] = set()
    for draft, posting in postings:
        if made >= limit:
            break
        if posting.kind != PostingKind.ORDER_CLASS or posting.status != PostingStatus.PUBLISHED:
            continue
        candidates = sorted(
            (s for s in context.filed.get(draft.major_code, []) if s.pk not in used),
            key=lambda s: (order.get(s.pk, len(order)), s.region_code[:4] != posting.region_code[:4], s.pk),
        )
        if not candidates or draft.employer is None:
            continue
        school = candidates[0]
        offering = MajorOffering.objects.get(school=school, major_code=draft.major_code)
        wanted = next((k for k, v in CLASS_LEVEL_NAMES.items() if v == posting.level), "")
        level = wanted if wanted in offering.class_levels else offering.class_levels[0]
        services.order_class_agree(
            actor=context.clerk(school),
            posting=posting,
            school=school,
            major_code=draft.major_code,
            name=f"{intake}级{_brand(context, posting.owner, draft.employer.kind)}{context.short_major(draft.major_code)}订单班",
            class_level=level,
            cohort_year=intake,
            planned_years=3,
        )
        used.add(school.pk)
        made += 1
    return made
