"""Importing the postings of earlier years from a spreadsheet: a bureau moving from an old system
(or from job-fair lists) records closed postings so that demand history and forecasts reach back
before the platform's first day.

Each row goes through `services.posting_archive`, so the rules are the ones a single recorded
posting meets. The whole file runs in one transaction: any row error rolls everything back, and a
dry run is the same run rolled back, so its report is exactly what the import would do. A posting
already recorded (same publisher, kind, title, publication day and closing day) is left
unchanged, so the same file imported twice changes nothing the second time. A publisher not yet
registered is registered as an enterprise from its 统一社会信用代码 and name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongjiang.core.actors import Actor
from gongjiang.core.imports import CellError, ImportReport, Progress, RowRefusedError, cell_date, import_rows
from gongjiang.core.policies import require
from gongjiang.core.sheets import clean_text, compact_text, write_template
from gongjiang.core.validators import validate_uscc
from gongjiang.directory.models import Organisation, OrganisationKind
from gongjiang.directory.services import organisation_create
from gongjiang.market import services
from gongjiang.market.models import Posting, PostingKind

# field → the header of the blank template first, then the spellings old systems use
HEADERS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "单位统一社会信用代码", "企业统一社会信用代码", "信用代码", "社会信用代码"),
    "owner_name": ("单位名称", "企业名称", "发布单位", "招聘单位", "用人单位"),
    "kind": ("类型", "信息类型", "岗位类型"),
    "title": ("标题", "岗位名称", "职位名称", "招聘岗位", "岗位"),
    "description": ("描述", "岗位描述", "职位描述", "岗位职责", "工作内容"),
    "occupation_code": ("职业代码", "职业编码"),
    "industry_code": ("行业代码",),
    "region_code": ("工作地区代码", "工作地区", "地区代码"),
    "level": ("技能等级", "层次", "等级要求"),
    "headcount": ("人数", "招聘人数", "需求人数"),
    "pay": ("月薪", "薪资", "薪酬", "工资"),
    "pay_min": ("月薪下限", "薪资下限", "最低月薪"),
    "pay_max": ("月薪上限", "薪资上限", "最高月薪"),
    "requirements": ("要求", "任职要求", "岗位要求"),
    "benefits": ("待遇", "福利待遇", "福利"),
    "published_on": ("发布日期", "发布时间"),
    "closed_on": ("截止日期", "关闭日期", "结束日期"),
}
REQUIRED = ("uscc", "title", "published_on", "closed_on")
VALUE_NOTES = {
    "uscc": gettext_noop("18 位统一社会信用代码；系统中尚无此单位时按“单位名称”登记为企业"),
    "owner_name": gettext_noop("系统中尚无此单位时必填"),
    "kind": gettext_noop("招聘岗位、实习岗位、学徒岗位、订单班等；空为招聘岗位"),
    "description": gettext_noop("空时以标题作描述"),
    "occupation_code": gettext_noop("职业分类大典 2022 代码，如 6-18-01-01；空时按标题自动编码"),
    "region_code": gettext_noop("6 位行政区划代码；空时为单位所在地区"),
    "headcount": gettext_noop("正整数"),
    "pay": gettext_noop("如 5000-8000、5000~8000、6000；面议可空"),
    "published_on": gettext_noop("日期，如 2023-03-01、2023.3.1、2023年3月1日"),
    "closed_on": gettext_noop("日期，不早于发布日期、不晚于今天"),
}
# The kinds' own labels, then the short words old lists use.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    PostingKind.JOB: ("招聘岗位", "招聘", "全职", "就业岗位", "岗位"),
    PostingKind.INTERNSHIP: ("实习岗位", "实习"),
    PostingKind.APPRENTICESHIP: ("学徒岗位", "学徒", "新型学徒制"),
    PostingKind.ORDER_CLASS: ("订单班", "订单培养"),
    PostingKind.COOPERATION: ("合作项目", "校企合作"),
    PostingKind.RND_PROJECT: ("研发项目",),
    PostingKind.SERVICE_NEED: ("技术服务需求",),
    PostingKind.TRAINING_NEED: ("培训需求",),
    PostingKind.TALENT: ("毕业生源",),
    PostingKind.TRAINING_OFFER: ("培训服务",),
    PostingKind.SERVICE_OFFER: ("技术服务",),
    PostingKind.RND_CAPABILITY: ("研发能力",),
}
_FIGURE = r"(\d+(?:\.\d+)?)(千|k|K|万)?"
_PAY_RANGE = re.compile(rf"^{_FIGURE}[-－—–~～至到]+{_FIGURE}$")
_PAY_ONE = re.compile(rf"^{_FIGURE}(以上|起|\+|以下)?$")
_PAY_UNITS = {None: 1, "千": 1000, "k": 1000, "K": 1000, "万": 10000}
# Words that say the figure is not a month's pay.
_NOT_MONTHLY = ("年", "天", "日", "时", "周")


@dataclass
class ArchiveReport(ImportReport):
    """The import's report, with how many publishers were registered along the way."""

    organisations: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "organisations": self.organisations}


def _int(value: Any, field: str) -> int | None:
    text = compact_text(value).replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(field, _("应为整数，实际为“%(value)s”") % {"value": text}) from exc
    if number != number.to_integral_value():
        raise CellError(field, _("应为整数，实际为“%(value)s”") % {"value": text})
    return int(number)


def _pay(value: Any) -> tuple[int | None, int | None]:
    """A pay cell as old lists write it: 5000-8000, 5-8千, 5千~8千, 6000元/月, 5000以上, 8k, 面议
    (no figure). A figure per year, day or hour is refused rather than taken for a month's."""
    written = compact_text(value)
    text = written.replace(",", "").replace("，", "")
    if not text or "面议" in text:
        return None, None
    for suffix in ("元/月", "元每月", "/月", "每月", "元"):
        text = text.removesuffix(suffix)
    text = text.removeprefix("月薪")
    refuse = CellError("pay", _("无法识别月薪“%(value)s”，请写成 5000-8000、6000 或 5000以上") % {"value": written})
    if any(word in text for word in _NOT_MONTHLY):
        raise refuse
    if match := _PAY_RANGE.match(text):
        high_unit = _PAY_UNITS[match.group(4)]
        high = round(float(match.group(3)) * high_unit)
        low = float(match.group(1))
        # "5-8千" means 5,000 to 8,000; "5000-8千" keeps its own 5,000.
        low_unit = _PAY_UNITS[match.group(2)] if match.group(2) else (high_unit if low * high_unit <= high else 1)
        return round(low * low_unit), high
    if match := _PAY_ONE.match(text):
        figure = round(float(match.group(1)) * _PAY_UNITS[match.group(2)])
        if match.group(3) == "以下":
            return None, figure
        return (figure, None) if match.group(3) else (figure, figure)
    raise refuse


def _kind(value: Any) -> str:
    text = compact_text(value)
    if not text:
        return PostingKind.JOB
    for kind, words in KIND_WORDS.items():
        if text == kind or text in words:
            return kind
    raise CellError(
        "kind",
        _("“%(value)s”无法识别，可填：%(known)s")
        % {"value": text, "known": "、".join(w[0] for w in KIND_WORDS.values())},
    )


def _owner(actor: Actor, row: dict[str, Any], report: ArchiveReport) -> Organisation:
    """The publisher by its 统一社会信用代码, registered as an enterprise when the bureau's system
    does not know it yet."""
    try:
        uscc = validate_uscc(compact_text(row["uscc"]).upper())
    except ValidationError as exc:
        raise CellError("uscc", exc.messages[0]) from exc
    owner = Organisation.objects.filter(uscc=uscc).first()
    if owner is not None:
        return owner
    name = clean_text(row.get("owner_name"))
    if not name:
        raise CellError(
            "uscc", _("系统中没有统一社会信用代码为“%(code)s”的单位；填写“单位名称”可一并登记。") % {"code": uscc}
        )
    region = compact_text(row.get("region_code"))
    if not region:
        raise CellError("region_code", _("新登记的单位须填写工作地区代码（作为单位所在地区）。"))
    try:
        owner = organisation_create(
            actor=actor, code=uscc, kind=OrganisationKind.ENTERPRISE, name=name, region_code=region, uscc=uscc
        )
    except PermissionDenied as exc:
        raise CellError("region_code", _("该地区不在本部门辖区，不能在此登记单位。")) from exc
    except ValidationError as exc:
        field = next(iter(exc.message_dict), "uscc") if hasattr(exc, "error_dict") else "uscc"
        raise CellError({"name": "owner_name", "code": "uscc"}.get(field, field), exc.messages[0]) from exc
    report.organisations += 1
    return owner


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    return start, start + dt.timedelta(days=1)


def _apply(actor: Actor, row: dict[str, Any], report: ArchiveReport) -> str:
    kind = _kind(row.get("kind"))
    published_on = cell_date(row["published_on"], "published_on")
    closed_on = cell_date(row["closed_on"], "closed_on")
    owner = _owner(actor, row, report)
    region = compact_text(row.get("region_code")) or owner.region_code
    # Before anything is compared: a bureau learns nothing of postings outside its region.
    require(actor, "market.posting.moderate", owner)
    require(actor, "market.posting.archive", region)
    title = " ".join(clean_text(row["title"]).split())
    # Pay bounds come from their own cells when filled, else from one 月薪 cell.
    pay_from = "pay" if not (clean_text(row.get("pay_min")) or clean_text(row.get("pay_max"))) else ""
    pay_min, pay_max = _pay(row.get("pay")) if pay_from else (None, None)
    values: dict[str, Any] = {
        "title": title,
        "description": clean_text(row.get("description")) or title,
        "occupation_code": compact_text(row.get("occupation_code")),
        "industry_code": compact_text(row.get("industry_code")),
        "region_code": region,
        "level": clean_text(row.get("level")),
        "headcount": _int(row.get("headcount"), "headcount"),
        "pay_min": pay_min if pay_from else _int(row.get("pay_min"), "pay_min"),
        "pay_max": pay_max if pay_from else _int(row.get("pay_max"), "pay_max"),
        "requirements": clean_text(row.get("requirements")),
        "benefits": clean_text(row.get("benefits")),
    }
    # A job-fair list may post the same title twice, for other sites or numbers: both count.
    if Posting.objects.filter(
        owner=owner, kind=kind, title=title, region_code=region, headcount=values["headcount"],
        deadline=closed_on, published_at__range=_day_range(published_on),
    ).exists():  # fmt: skip
        return "unchanged"
    try:
        services.posting_archive(
            actor=actor, owner=owner, kind=kind, published_on=published_on, closed_on=closed_on, **values
        )
    except ValidationError as exc:
        # The service names the closing day its deadline, and pay bounds read from one cell are
        # reported on that cell.
        renamed = {"deadline": "closed_on", "pay_min": pay_from or "pay_min", "pay_max": pay_from or "pay_max"}
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        raise RowRefusedError({renamed.get(f, f): messages[0] for f, messages in fields.items()}) from exc
    return "created"


def postings_archive_import(
    *, actor: Actor, source: IO[bytes], filename: str, dry_run: bool = False, progress: Progress | None = None
) -> ArchiveReport:
    """Record every row of the file as a closed posting of an earlier year, or nothing."""
    report = ArchiveReport(dry_run=dry_run)
    import_rows(
        report, source=source, filename=filename, headers=HEADERS, required=REQUIRED, required_any=HEADERS["title"],
        apply=lambda row: _apply(actor, row, report), progress=progress,
        denied=("uscc", _("该单位或工作地区不在本部门辖区，不能补录。")),
    )  # fmt: skip
    if report.errors:
        report.organisations = 0
    return report


def template_write(target: Path | IO[bytes]) -> None:
    """The blank workbook: the headers the import reads first, the required ones marked, what the
    values may be and the other spellings each column accepts."""
    columns = []
    for field, names in HEADERS.items():
        notes = [_(VALUE_NOTES[field])] if field in VALUE_NOTES else []
        if len(names) > 1:
            notes.append(_("表头也可写作：%(names)s") % {"names": "、".join(names[1:])})
        columns.append((names[0], field in REQUIRED, "；".join(notes)))
    write_template(columns, target)
