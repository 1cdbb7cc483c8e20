"""Loading reference data: parse every file, validate every row, then write in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from gongjiang.core import audit
from gongjiang.core.actors import Actor
from gongjiang.core.policies import require
from gongjiang.refdata import policies as _policies  # noqa: F401  (registers the rules)
from gongjiang.refdata.coding import OccupationCoder, entries_from_concept_rows
from gongjiang.refdata.formats import (
    CODE_PATTERNS,
    ParsedVersion,
    ParseResult,
    RefdataFileError,
    parse_csco,
    parse_directory,
)
from gongjiang.refdata.models import CROSSWALK_SCHEMES, CatalogueVersion, Concept, Crosswalk
from gongjiang.refdata.pinyin import pinyin_of

BATCH_SIZE = 2000
MAX_ERRORS = 200

Progress = Callable[[str, int, int], None]


class RefdataLoadError(Exception):
    """The files did not validate; nothing was written."""

    def __init__(self, errors: list[RefdataFileError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors[:20]))


@dataclass
class VersionReport:
    scheme: str
    label: str
    rows: int
    duplicates_dropped: int
    seconds: float


@dataclass
class LoadReport:
    versions: list[VersionReport] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def _validate(version: ParsedVersion) -> list[RefdataFileError]:
    errors: list[RefdataFileError] = []
    path = version.path
    if version.scheme in CROSSWALK_SCHEMES:
        seen_links: set[tuple[str, str]] = set()
        for link in version.links:
            if not link.source_code or not link.target_code:
                errors.append(RefdataFileError(path, link.line, _("源代码和目标代码都不能为空")))
            elif (link.source_code, link.target_code) in seen_links:
                errors.append(
                    RefdataFileError(
                        path, link.line, _("对照关系 %(s)s→%(t)s 重复") % {"s": link.source_code, "t": link.target_code}
                    )
                )
            seen_links.add((link.source_code, link.target_code))
        return errors
    pattern = CODE_PATTERNS.get(version.scheme)
    keys: set[tuple[int, str, object]] = set()
    codes = {(row.level, row.code) for row in version.concepts}
    for row in version.concepts:
        if pattern is not None and not pattern.match(row.code):
            errors.append(RefdataFileError(path, row.line, _("代码“%(code)s”格式不正确") % {"code": row.code}))
        if not row.name:
            errors.append(RefdataFileError(path, row.line, _("代码 %(code)s 缺少名称") % {"code": row.code}))
        if row.level < 1 or row.level > 4:
            errors.append(
                RefdataFileError(path, row.line, _("层级应为 1 到 4，实际为 %(level)d") % {"level": row.level})
            )
        key = (row.level, row.code, row.valid_from)
        if key in keys:
            errors.append(RefdataFileError(path, row.line, _("代码 %(code)s 重复") % {"code": row.code}))
        keys.add(key)
        if row.parent_code and not any((lv, row.parent_code) in codes for lv in range(1, row.level)):
            errors.append(
                RefdataFileError(path, row.line, _("上级代码 %(parent)s 不存在") % {"parent": row.parent_code})
            )
        if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
            errors.append(RefdataFileError(path, row.line, _("停用日期早于启用日期")))
        if len(errors) >= MAX_ERRORS:
            break
    return errors


def _write_version(version: ParsedVersion, actor: Actor, progress: Progress | None) -> CatalogueVersion:
    catalogue, _created = CatalogueVersion.objects.update_or_create(
        scheme=version.scheme,
        label=version.label,
        defaults={
            "effective_from": version.effective_from,
            "source": version.source[:300],
            "demo_subset": version.demo_subset,
            "row_count": version.row_count,
            "loaded_by": actor.username,
        },
    )
    # Reloading a version replaces its rows: the same file loaded twice gives the same table.
    # Plain DELETEs: the ORM's cascade collector would fetch tens of thousands of rows first.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Crosswalk._meta.db_table} WHERE version_id = %s", [catalogue.pk])
        cursor.execute(f"DELETE FROM {Concept._meta.db_table} WHERE version_id = %s", [catalogue.pk])
    total = version.row_count
    if version.scheme in CROSSWALK_SCHEMES:
        links = [
            Crosswalk(
                version=catalogue,
                scheme=version.scheme,
                source_code=link.source_code,
                target_code=link.target_code,
                note=link.note[:200],
            )
            for link in version.links
        ]
        for start in range(0, len(links), BATCH_SIZE):
            Crosswalk.objects.bulk_create(links[start : start + BATCH_SIZE])
            if progress:
                progress(version.label, min(start + BATCH_SIZE, total), total)
        return catalogue
    ids: dict[tuple[int, str], int] = {}
    done = 0
    # Parents first, so each child's parent id is known when it is inserted.
    for level in sorted({row.level for row in version.concepts}):
        rows = [row for row in version.concepts if row.level == level]
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            objects = []
            for row in batch:
                full, initials = pinyin_of(row.name)
                parent_id = (
                    next(
                        (ids[(lv, row.parent_code)] for lv in range(level - 1, 0, -1) if (lv, row.parent_code) in ids),
                        None,
                    )
                    if row.parent_code
                    else None
                )
                objects.append(
                    Concept(
                        version=catalogue,
                        scheme=version.scheme,
                        level=row.level,
                        code=row.code,
                        name=row.name[:200],
                        parent_id=parent_id,
                        aliases="|".join(row.aliases),
                        pinyin=full[:600],
                        pinyin_initials=initials[:200],
                        is_digital=row.is_digital,
                        is_green=row.is_green,
                        valid_from=row.valid_from,
                        valid_to=row.valid_to,
                        replaced_by=row.replaced_by,
                        attrs=row.attrs,
                    )
                )
            created = Concept.objects.bulk_create(objects)
            if created and created[0].pk is None:
                # Backends that do not return ids from bulk inserts: read them back.
                lookup = dict(Concept.objects.filter(version=catalogue, level=level).values_list("code", "id"))
                for obj in created:
                    obj.pk = lookup[obj.code]
            for obj in created:
                ids.setdefault((obj.level, obj.code), obj.pk)
            done += len(batch)
            if progress:
                progress(version.label, done, total)
    return catalogue


def refdata_load(*, actor: Actor, path: Path, progress: Progress | None = None) -> LoadReport:
    """Load every reference file under `path`. All or nothing: on any error the tables stay as they were."""
    require(actor, "refdata.load")
    started = time.perf_counter()
    parsed = parse_directory(path)
    errors = list(parsed.errors)
    for version in parsed.versions:
        errors.extend(_validate(version))
    if errors:
        raise RefdataLoadError(errors[:MAX_ERRORS])
    if not parsed.versions:
        raise RefdataLoadError([RefdataFileError(path, 0, _("目录中没有可识别的参考数据文件"))])
    report = LoadReport(skipped=[(str(p), reason) for p, reason in parsed.skipped])
    with transaction.atomic():
        for version in parsed.versions:
            version_started = time.perf_counter()
            catalogue = _write_version(version, actor, progress)
            report.versions.append(
                VersionReport(
                    scheme=version.scheme,
                    label=version.label,
                    rows=version.row_count,
                    duplicates_dropped=version.duplicates_dropped,
                    seconds=time.perf_counter() - version_started,
                )
            )
            audit.record(
                actor=actor,
                action="refdata.load",
                entity=catalogue,
                after={
                    "scheme": version.scheme,
                    "label": version.label,
                    "rows": version.row_count,
                    "effective_from": version.effective_from,
                    "source": version.source,
                    "file": str(version.path),
                },
            )
    report.seconds = time.perf_counter() - started
    return report


def occupation_coder_from_table(path: Path) -> OccupationCoder:
    """An occupation coder read straight from `csco22.csv` (and the supplement beside it, if
    there), without a database: for `gongjiang occupation-code --table` and evaluations. It lives
    here because only this module reads reference files."""
    supplement = path.with_name("hierarchy_supplement_from_jobe_draft.csv")
    result = ParseResult()
    parse_csco([path, supplement] if supplement.exists() else [path], result)
    return OccupationCoder(entries_from_concept_rows(result.versions[0].concepts))
