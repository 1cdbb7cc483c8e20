"""`credentials`: list, bundle, issue and verify certificates (ADR 0026)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from gongjiang.cli.base import (
    _progress_bar,
    _school,
    _setup,
    data_dir_option,
    main,
)

# -- certificates (credentials/, ADR 0026); `credentials verify` joins this group -------------------


@main.group("credentials")
def credentials_group() -> None:
    """证书：列出、导出核验包、批量签发、核验。"""


@credentials_group.command("list")
@data_dir_option
@click.option("--kind", type=click.Choice(["diploma", "skill"]), default=None, help="证书类型。")
@click.option("--status", type=click.Choice(["active", "revoked", "suspended"]), default=None, help="证书状态。")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True, help="最多列出多少张。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 数组输出。")
def credentials_list(data_dir: Path | None, kind: str | None, status: str | None, limit: int, as_json: bool) -> None:
    """列出证书（编号、类型、状态、签发机构、签发时间）。"""
    _setup(data_dir)
    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.selectors import certificate_list

    rows = [
        {
            "number": c.number, "kind": c.kind, "status": c.status, "issuer": c.issuer.code,
            "issued_at": c.issued_at.isoformat(), "occupation_code": c.occupation_code or None,
            "skill_level": c.skill_level, "class_level": c.class_level or None,
        }
        for c in certificate_list(actor=system_actor(), kind=kind, status=status)[:limit]
    ]  # fmt: skip
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['number']:<18} {row['kind']:<8} {row['status']:<10} {row['issuer']:<12} {row['issued_at']}")


@credentials_group.command("bundle")
@data_dir_option
@click.argument("number")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="写入的目录。")
def credentials_bundle(data_dir: Path | None, number: str, out: Path) -> None:
    """把一张证书的核验包写入目录：credential.json、签发机构的 did-*.json、状态列表 status-*.json。"""
    _setup(data_dir)
    from django.http import Http404

    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.numbers import normalise
    from gongjiang.credentials.selectors import certificate_bundle

    try:
        bundle = certificate_bundle(actor=system_actor(), number=normalise(number))
    except Http404:
        raise click.ClickException(f"没有编号为“{number[:40]}”的证书。") from None
    out.mkdir(parents=True, exist_ok=True)

    def write(name: str, document: dict[str, Any]) -> None:
        (out / name).write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")

    write("credential.json", bundle.credential)
    for position, document in enumerate(bundle.did_documents.values(), start=1):
        write(f"did-{position}.json", document)
    for purpose, document in bundle.status_lists.items():
        write(f"status-{purpose}.json", document)
    click.echo(
        f"已写入 {out}：1 张证书、{len(bundle.did_documents)} 个 DID 文档、{len(bundle.status_lists)} 个状态列表。"
    )


@credentials_group.command("issue-diplomas")
@data_dir_option
@click.option("--school", "school_code", required=True, help="院校机构代码。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果。")
def credentials_issue_diplomas(data_dir: Path | None, school_code: str, as_json: bool) -> None:
    """为院校尚无毕业证书的全部毕业生签发毕业证书（分批进行，显示进度）。"""
    _setup(data_dir)

    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.selectors import graduates_without_diploma
    from gongjiang.credentials.services.certificates import certificate_issue_diplomas

    actor = system_actor("gongjiang credentials issue-diplomas")
    school = _school(school_code)
    registrations = list(graduates_without_diploma(actor=actor, school=school))
    started = time.perf_counter()
    with _progress_bar() as bar:
        task = bar.add_task("签发毕业证书", total=len(registrations))
        issued = certificate_issue_diplomas(
            actor=actor, school=school, registrations=registrations,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )  # fmt: skip
    seconds = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps({"school": school.code, "issued": issued, "seconds": round(seconds, 3)}))
        return
    click.echo(f"{school.name}：签发毕业证书 {issued} 张，用时 {seconds:.1f} 秒。")


@credentials_group.command("verify")
@data_dir_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出每项检查。")
@click.option("--require-filed", is_flag=True, help="签发机构未在本平台备案（或未获授权）时也判为不通过。")
def credentials_verify(data_dir: Path | None, file: Path, as_json: bool, require_filed: bool) -> None:
    """核验凭证文件（任何签发方）。同目录下的 did-*.json、status-*.json 作为离线核验包读取；
    did:key 离线解析，上下文用本地副本，从不联网。签名有效、在有效期内且（就能核对的而言）
    未被撤销或暂停时退出码为 0。"""
    _setup(data_dir)
    from gongjiang.credentials.vc.bundle import BundleTrust, read_credential_file
    from gongjiang.credentials.vc.errors import CredentialError
    from gongjiang.credentials.vc.verify import Outcome, TrustSource, verify_credential

    bundle = BundleTrust.beside(file)
    trust: TrustSource = _database_trust(bundle) or bundle
    try:
        report = verify_credential(read_credential_file(file), trust)
    except CredentialError as exc:
        raise click.ClickException(exc.message.text()) from None
    ok = report.ok(require_filed=require_filed)
    if as_json:
        click.echo(json.dumps(report.as_dict(require_filed=require_filed), ensure_ascii=False, indent=2))
    else:
        marks = {Outcome.PASSED: "通过", Outcome.FAILED: "不通过", Outcome.UNCHECKED: "未核对"}
        for check in report.checks:
            click.echo(f"{marks[check.outcome]:<4} {check.label}：{check.message.text()}")
        click.echo("结论：有效" if ok else "结论：无效")
    sys.exit(0 if ok else 1)


def _database_trust(bundle: Any) -> Any:
    """The platform's registry when its database is there; None for an offline check."""
    from django.db import DatabaseError

    from gongjiang.credentials.models import Filing
    from gongjiang.credentials.trust import DatabaseTrust

    try:
        Filing.objects.exists()
    except DatabaseError:
        return None
    return DatabaseTrust(bundle)
