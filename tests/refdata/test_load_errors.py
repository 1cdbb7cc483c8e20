"""A malformed reference file is named with its line, and nothing is written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from gongjiang.core.actors import Actor, system_actor
from gongjiang.core.scope import ActorKind
from gongjiang.refdata.builtin import BUILTIN_DIR
from gongjiang.refdata.models import CatalogueVersion, Concept, Crosswalk
from gongjiang.refdata.services import RefdataLoadError, refdata_load


def table_state() -> tuple[int, int, int, list[tuple[str, str, int]]]:
    return (
        CatalogueVersion.objects.count(),
        Concept.objects.count(),
        Crosswalk.objects.count(),
        sorted(CatalogueVersion.objects.values_list("scheme", "label", "row_count")),
    )


@pytest.fixture
def builtin_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(BUILTIN_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def test_reloading_the_same_files_changes_nothing(db: None) -> None:
    before = table_state()
    refdata_load(actor=system_actor(), path=BUILTIN_DIR)
    assert table_state() == before


@pytest.mark.parametrize(
    ("file", "line", "expected"),
    [
        ("regions.csv", "999999,不存在区,3,990000\n", "上级代码 990000 不存在"),
        ("regions.csv", "15020X,坏代码,3,150200\n", "格式不正确"),
        ("regions.csv", "150299,,3,150200\n", "缺少名称"),
        ("occupations.csv", "6-18-01-01,车工,4,6-18-01-00,,0,0\n", "重复"),
        ("occupations.csv", "6-18-01-99,某工,four,6-18-01-00,,0,0\n", "不是整数"),
        ("majors.csv", "0199,某专业,2,01,master,\n", "班级层次"),
    ],
)
def test_a_bad_row_is_reported_with_file_and_line_and_nothing_changes(
    db: None, builtin_copy: Path, file: str, line: str, expected: str
) -> None:
    path = builtin_copy / file
    last_line = len(path.read_text(encoding="utf-8").splitlines()) + 1
    append(path, line)
    before = table_state()
    with pytest.raises(RefdataLoadError) as exc:
        refdata_load(actor=system_actor(), path=builtin_copy)
    messages = [str(e) for e in exc.value.errors]
    assert any(expected in m and file in m and f"第{last_line}行" in m for m in messages), messages
    assert table_state() == before


def test_a_failure_in_a_later_file_leaves_earlier_catalogues_unwritten(db: None, builtin_copy: Path) -> None:
    # regions.csv is fine and changed (one more district); the crosswalk file is broken.
    append(builtin_copy / "regions.csv", "150205,石拐区,3,150200\n")
    append(builtin_copy / "occupation_industry.csv", ",3421,\n")
    before = table_state()
    with pytest.raises(RefdataLoadError, match="不能为空"):
        refdata_load(actor=system_actor(), path=builtin_copy)
    assert table_state() == before
    assert not Concept.objects.filter(code="150205").exists()


def test_missing_columns_and_a_broken_manifest(db: None, builtin_copy: Path, tmp_path: Path) -> None:
    (builtin_copy / "industries.csv").write_text("code,name\nA,农业\n", encoding="utf-8")
    with pytest.raises(RefdataLoadError, match="缺少必需的列：level、parent_code"):
        refdata_load(actor=system_actor(), path=builtin_copy)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RefdataLoadError, match="清单文件无法解析"):
        refdata_load(actor=system_actor(), path=broken)
    manifest = json.loads((builtin_copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["catalogues"][0]["scheme"] = "planets"
    (builtin_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(RefdataLoadError, match="代码表未知"):
        refdata_load(actor=system_actor(), path=builtin_copy)


def test_an_empty_or_missing_directory_is_refused(db: None, tmp_path: Path) -> None:
    with pytest.raises(RefdataLoadError, match="没有可识别"):
        refdata_load(actor=system_actor(), path=tmp_path)
    with pytest.raises(RefdataLoadError, match="目录不存在"):
        refdata_load(actor=system_actor(), path=tmp_path / "nowhere")


def test_only_operators_load_reference_data(db: None) -> None:
    bureau = Actor(kind=ActorKind.BUREAU, region_code="150000", role="admin")
    with pytest.raises(PermissionDenied):
        refdata_load(actor=bureau, path=BUILTIN_DIR)
