"""Importing earlier years' postings from a spreadsheet: every row through the archive service,
publishers registered when new, all or nothing, the same file twice changes nothing, and each bad
cell named by its row and column in Chinese."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from gongjiang.core import clock
from gongjiang.core.actors import Actor
from gongjiang.core.models import AuditEntry
from gongjiang.demo.generator import make_uscc
from gongjiang.directory.models import Organisation, OrganisationKind
from gongjiang.market.archive_import import HEADERS, postings_archive_import, template_write
from gongjiang.market.models import Posting, PostingKind, PostingStatus

pytestmark = pytest.mark.django_db

COLUMNS = [
    "统一社会信用代码",
    "单位名称",
    "岗位类型",
    "岗位名称",
    "岗位职责",
    "工作地区",
    "招聘人数",
    "薪资",
    "发布日期",
    "截止日期",
]
NEW_USCC = make_uscc(random.Random(11), "150203", "91")


def _csv(rows: list[list[Any]], columns: list[str] = COLUMNS) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8-sig"))


def _day(days_ago: int) -> str:
    return (clock.today() - dt.timedelta(days=days_ago)).isoformat()


def _good_rows(enterprise: Organisation) -> list[list[Any]]:
    return [
        [enterprise.uscc, "", "招聘", "数控车工", "操作数控车床加工轴类零件", "", "5", "5千-8千", _day(700), _day(670)],
        [enterprise.uscc, "", "学徒", "焊工学徒", "", "150203", "2", "面议", "2024.3.1", "2024年3月31日"],
        [
            NEW_USCC,
            "包头市北方重型装备有限公司",
            "",
            "装配钳工",
            "机械装配",
            "150203",
            "3",
            "6000",
            _day(500),
            _day(480),
        ],
    ]


def test_a_good_file_records_every_row_and_the_same_file_twice_changes_nothing(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    bureau = actor_of("bureau")
    enterprise = world["enterprise"]
    rows = _good_rows(enterprise)
    before = Posting.objects.count()

    dry = postings_archive_import(actor=bureau, source=_csv(rows), filename="old.csv", dry_run=True)
    assert (dry.rows, dry.created, dry.organisations, dry.errors) == (3, 3, 1, [])
    assert Posting.objects.count() == before and not Organisation.objects.filter(uscc=NEW_USCC).exists()

    report = postings_archive_import(actor=bureau, source=_csv(rows), filename="old.csv")
    assert (report.rows, report.created, report.unchanged, report.organisations, report.errors) == (3, 3, 0, 1, [])
    lathe = Posting.objects.get(title="数控车工")
    assert lathe.status == PostingStatus.CLOSED and lathe.kind == PostingKind.JOB
    assert (lathe.pay_min, lathe.pay_max, lathe.headcount) == (5000, 8000, 5)
    assert lathe.region_code == enterprise.region_code  # blank: the publisher's region
    assert timezone.localtime(lathe.published_at).date().isoformat() == _day(700)
    assert lathe.deadline.isoformat() == _day(670)
    assert lathe.occupation_code  # coded from the title
    assert "raw_confidence" in lathe.occupation_evidence  # with the learnt confidence (ADR 0038)
    welder = Posting.objects.get(title="焊工学徒")
    assert welder.kind == PostingKind.APPRENTICESHIP and welder.description == "焊工学徒"
    assert (welder.pay_min, welder.pay_max) == (None, None)
    assert welder.deadline == dt.date(2024, 3, 31)
    newcomer = Organisation.objects.get(uscc=NEW_USCC)
    assert newcomer.kind == OrganisationKind.ENTERPRISE and newcomer.region_code == "150203"
    assert Posting.objects.get(title="装配钳工").owner == newcomer
    assert AuditEntry.objects.filter(action="posting.archive").count() == 3

    again = postings_archive_import(actor=bureau, source=_csv(rows), filename="old.csv")
    assert (again.created, again.unchanged, again.organisations, again.errors) == (0, 3, 0, [])
    assert Posting.objects.count() == before + 3


def test_bad_cells_are_named_by_row_and_column_and_nothing_is_written(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    bureau = actor_of("bureau")
    uscc = world["enterprise"].uscc
    rows = [
        *_good_rows(world["enterprise"]),
        ["91150203MA0000000X", "某公司", "招聘", "电工", "", "", "", "", _day(400), _day(390)],  # check character
        [uscc, "", "招聘", "电工", "", "", "", "9000-5000", _day(400), _day(390)],  # pay upside down
        [uscc, "", "招聘", "电工", "", "", "", "", _day(400), _day(410)],  # closed before published
        [uscc, "", "招聘", "电工", "", "", "", "", _day(10), (clock.today() + dt.timedelta(days=5)).isoformat()],
        [uscc, "", "兼职", "电工", "", "", "", "", _day(400), _day(390)],  # unknown kind
        [make_uscc(random.Random(12), "150203", "91"), "", "招聘", "电工", "", "", "", "", _day(400), _day(390)],
        [uscc, "", "招聘", "", "", "", "", "", _day(400), _day(390)],  # no title
        [uscc, "", "招聘", "电工", "", "", "", "", "2023-02-30", _day(390)],  # no such day
        [uscc, "", "招聘", "电工", "", "", "两人", "", _day(400), _day(390)],  # words for a number
    ]
    before = (Posting.objects.count(), Organisation.objects.count())
    report = postings_archive_import(actor=bureau, source=_csv(rows), filename="old.csv")
    # The good rows are counted as what they would have done; nothing is written (checked below).
    assert report.created == 3 and report.organisations == 0
    found = {(e.row, e.column): e.message for e in report.errors}
    assert (5, "统一社会信用代码") in found
    assert "月薪上限不能低于下限" in found[(6, "薪资")]
    assert "截止日期不能早于发布日期" in found[(7, "截止日期")]
    assert "截止日期不能晚于今天" in found[(8, "截止日期")]
    assert "“兼职”无法识别" in found[(9, "岗位类型")]
    assert "填写“单位名称”可一并登记" in found[(10, "统一社会信用代码")]
    assert found[(11, "岗位名称")] == "不能为空"
    assert (12, "发布日期") in found
    assert "应为整数" in found[(13, "招聘人数")]
    assert (Posting.objects.count(), Organisation.objects.count()) == before


def test_a_file_without_the_required_columns_is_refused(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    report = postings_archive_import(
        actor=actor_of("bureau"), source=_csv([["数控车工", "2024-01-01"]], ["岗位名称", "发布日期"]), filename="x.csv"
    )
    assert len(report.errors) == 1 and "缺少必需的列：统一社会信用代码、截止日期" in report.errors[0].message


def test_only_a_bureau_over_the_publisher_may_record(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    rows = _good_rows(world["enterprise"])[:1]
    for persona in ("enterprise", "u-bur-150400"):
        report = postings_archive_import(actor=actor_of(persona), source=_csv(rows), filename="old.csv")
        assert report.created == 0 and report.errors and report.errors[0].row == 2, persona
        assert "不在本部门辖区" in report.errors[0].message or "不能补录" in report.errors[0].message, persona
    assert not Posting.objects.filter(title="数控车工").exists()


def test_the_page_and_its_template(client_for: Callable[[str], Any], world: dict[str, Organisation]) -> None:
    assert client_for("school").get("/market/moderation/archive/").status_code == 403
    bureau = client_for("bureau")
    page = bureau.get("/market/moderation/").content.decode()
    assert 'data-testid="archive-link"' in page
    template = bureau.get("/market/moderation/archive/template/")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = _csv(_good_rows(world["enterprise"]))
    upload.name = "old.csv"
    result = bureau.post("/market/moderation/archive/", {"file": upload}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="import-counts"' in result and "新增 3" in result and "新登记发布单位 1 家" in result
    bad = _csv([[world["enterprise"].uscc, "", "招聘", "电工", "", "", "", "9000-5000", _day(400), _day(390)]])
    bad.name = "bad.csv"
    result = bureau.post("/market/moderation/archive/", {"file": bad}).content.decode()
    assert "月薪上限不能低于下限" in result and "未写入任何数据" in result


def test_the_blank_template_lists_every_column(tmp_path: Any) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "t.xlsx"
    template_write(target)
    first = [cell.value for cell in load_workbook(target).worksheets[0][1]]
    assert [str(v).rstrip("*") for v in first] == [names[0] for names in HEADERS.values()]


def test_pay_cells_as_old_lists_write_them(actor_of: Callable[[str], Actor], world: dict[str, Organisation]) -> None:
    uscc = world["enterprise"].uscc
    cells = {"5-8千": (5000, 8000), "5,000-8,000元/月": (5000, 8000), "4500-1万": (4500, 10000),
             "5000以上": (5000, None), "1.2万": (12000, 12000), "8k": (8000, 8000)}  # fmt: skip
    rows = [[uscc, "", "招聘", f"岗位{i}", "", "", "", cell, _day(400), _day(390)] for i, cell in enumerate(cells)]
    report = postings_archive_import(actor=actor_of("bureau"), source=_csv(rows), filename="pay.csv")
    assert report.errors == [] and report.created == len(cells)
    for i, expected in enumerate(cells.values()):
        posting = Posting.objects.get(title=f"岗位{i}")
        assert (posting.pay_min, posting.pay_max) == expected
    # A year's or a day's pay is not taken for a month's.
    for cell in ("10万/年", "150元/天", "6000-"):
        refused = postings_archive_import(
            actor=actor_of("bureau"),
            source=_csv([[uscc, "", "招聘", "电工", "", "", "", cell, _day(400), _day(390)]]),
            filename="pay.csv",
        )
        assert [(e.row, e.column) for e in refused.errors] == [(2, "薪资")], cell
        assert f"无法识别月薪“{cell}”" in refused.errors[0].message


def test_the_same_title_at_other_sites_or_numbers_counts_twice_and_other_regions_are_refused(
    actor_of: Callable[[str], Actor], world: dict[str, Organisation]
) -> None:
    uscc = world["enterprise"].uscc
    rows = [
        [uscc, "", "招聘", "普工", "", "150203", "10", "", _day(400), _day(390)],
        [uscc, "", "招聘", "普工", "", "150204", "10", "", _day(400), _day(390)],
        [uscc, "", "招聘", "普工", "", "150203", "5", "", _day(400), _day(390)],
    ]
    report = postings_archive_import(actor=actor_of("bureau"), source=_csv(rows), filename="fair.csv")
    assert (report.created, report.unchanged, report.errors) == (3, 0, [])
    # A work region outside the bureau's area: refused, whoever the publisher is.
    outside = [[uscc, "", "招聘", "普工", "", "110101", "10", "", _day(400), _day(390)]]
    refused = postings_archive_import(actor=actor_of("bureau"), source=_csv(outside), filename="x.csv")
    assert refused.created == 0 and "不在本部门辖区" in refused.errors[0].message
