"""`credentials`: list, bundle, issue and verify certificates (ADR 0026); the bureau's filings of
evaluation bodies and its 一体化 switch; 双证书 links; certificates for passed assessments and
under the 一体化 rule (issue 17). Each step calls the service the pages and the API call, so it
refuses what they refuse, with the same Chinese reasons, and writes nothing then."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from gongjiang.cli.base import (
    _acting_for,
    _organisation,
    _progress_bar,
    _refusals,
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
@click.option(
    "--processes", type=click.IntRange(1, 16), default=1, show_default=True,
    help="并行签发的进程数（需 PostgreSQL）：作为一批分成几部分，由同样多个 worker 进程同时签发，中断后可续签。",
)  # fmt: skip
def credentials_issue_diplomas(data_dir: Path | None, school_code: str, as_json: bool, processes: int) -> None:
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
        if processes > 1 and registrations:
            issued = _issue_in_workers(actor, school, len(registrations), processes, bar, task)
        else:
            issued = certificate_issue_diplomas(
                actor=actor, school=school, registrations=registrations,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )  # fmt: skip
    seconds = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps({"school": school.code, "issued": issued, "seconds": round(seconds, 3)}))
        return
    click.echo(f"{school.name}：签发毕业证书 {issued} 张，用时 {seconds:.1f} 秒。")


def _issue_in_workers(actor: Any, school: Any, total: int, processes: int, bar: Any, task: Any) -> int:
    """A batch in `processes` parts (ADR 0034), issued by as many `gongjiang worker` processes
    started here; the bar follows the batch's committed progress. Killed, it is resumed by any
    worker (or by running this again): nothing is issued twice."""
    import subprocess
    import time

    from django.core.exceptions import ValidationError
    from django.db import connection

    from gongjiang.credentials.models import BatchState
    from gongjiang.credentials.services.certificates import batch_start

    if connection.vendor != "postgresql":
        raise click.ClickException("多进程签发需要 PostgreSQL（SQLite 同一时间只允许一个写入进程）。")
    try:
        batch = batch_start(actor=actor, school=school, total=total, parts=processes)
    except ValidationError as exc:
        raise click.ClickException("；".join(exc.messages)) from None
    command = [sys.executable, "-m", "gongjiang.cli", "worker", "--until-idle"]
    workers = [subprocess.Popen(command, stdout=subprocess.DEVNULL) for _ in range(batch.parts)]
    while any(w.poll() is None for w in workers):
        batch.refresh_from_db()
        bar.update(task, completed=batch.done, total=batch.total)
        time.sleep(0.5)
    batch.refresh_from_db()
    if batch.state != BatchState.DONE:
        raise click.ClickException(f"签发未完成（{batch.done} / {batch.total}）：{batch.error or '工作进程已退出'}")
    return batch.done


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


# -- filings of evaluation bodies (备案) -------------------------------------------------------------

_DATE = click.DateTime(formats=["%Y-%m-%d"])
_REASON = click.option("--reason", required=True, help="原因（必填，最多 500 字）。")
_AS_JSON = click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")


@credentials_group.group("filings")
def filings_group() -> None:
    """评价机构备案：列出、备案、暂停、恢复、终止（以辖区人社部门的名义）。"""


def _filing_row(f: Any) -> dict[str, Any]:
    return {
        "number": f.number, "organisation": f.organisation.code, "organisation_name": f.organisation.name,
        "body_kind": f.body_kind, "status": f.status, "status_reason": f.status_reason,
        "valid_from": f.valid_from.isoformat(), "valid_until": f.valid_until.isoformat(), "filed_by": f.filed_by.code,
        "occupations": {o.occupation_code: o.highest_level for o in f.occupations.all()}, "version": f.version,
    }  # fmt: skip


def _print_filing(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False, indent=2))
        return
    occupations = "、".join(f"{code}（{level}级）" for code, level in row["occupations"].items())
    click.echo(
        f"{row['number']:<18} {row['status']:<10} {row['organisation']:<20} {row['body_kind']:<24} "
        f"{row['valid_from']}至{row['valid_until']} {occupations}"
    )


@filings_group.command("list")
@data_dir_option
@click.option("--status", type=click.Choice(["active", "suspended", "ended"]), default=None, help="备案状态。")
@click.option("--organisation", "organisation_code", default=None, help="只列出该机构代码的备案。")
@_AS_JSON
def filings_list(data_dir: Path | None, status: str | None, organisation_code: str | None, as_json: bool) -> None:
    """列出备案（编号、状态、机构、类型、有效期、可评职业及最高等级），新的在前。"""
    _setup(data_dir)
    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.selectors import filing_list

    organisation = None if organisation_code is None else _organisation(organisation_code, "--organisation")
    found = filing_list(
        actor=system_actor(), status=status, organisation_id=None if organisation is None else organisation.pk
    )
    rows = [_filing_row(f) for f in found]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        _print_filing(row, as_json=False)


def _occupation_levels(values: tuple[str, ...]) -> dict[str, int]:
    """`--occupation 6-18-01-07:3` → {"6-18-01-07": 3}; a malformed or repeated one is named."""
    from gongjiang.credentials.services.filing import MAX_OCCUPATIONS

    if len(values) > MAX_OCCUPATIONS:
        raise click.BadParameter(f"一次备案最多 {MAX_OCCUPATIONS} 个职业。", param_hint="--occupation")
    levels: dict[str, int] = {}
    for value in values:
        code, _sep, level = value.strip().rpartition(":")
        if not code or not level.isdigit() or not 1 <= int(level) <= 5:
            raise click.BadParameter(
                f"“{value[:40]}”应写成“职业代码:最高等级”，等级为 1（高级技师）至 5（初级工），如 6-18-01-07:3。",
                param_hint="--occupation",
            )
        if code in levels:
            raise click.BadParameter(f"职业代码“{code[:16]}”重复填写。", param_hint="--occupation")
        levels[code] = int(level)
    return levels


@filings_group.command("create")
@data_dir_option
@click.argument("organisation_code")
@click.option(
    "--kind", "body_kind", required=True, type=click.Choice(["evaluation_organisation", "employer", "school"]),
    help="评价机构类型：社会培训评价组织、用人单位、技工院校。",
)  # fmt: skip
@click.option(
    "--occupation", "occupations", multiple=True, required=True,
    help="可评职业及最高等级，写成“职业代码:等级”（1 高级技师 … 5 初级工）；可多次给出。",
)  # fmt: skip
@click.option("--from", "valid_from", type=_DATE, required=True, help="有效期起（YYYY-MM-DD）。")
@click.option("--until", "valid_until", type=_DATE, required=True, help="有效期止（YYYY-MM-DD）。")
@_AS_JSON
def filings_create(
    data_dir: Path | None, organisation_code: str, body_kind: str, occupations: tuple[str, ...],
    valid_from: Any, valid_until: Any, as_json: bool,
) -> None:  # fmt: skip
    """把机构备案为评价机构（由机构所在地最近的人社部门备案）。"""
    _setup(data_dir)
    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.selectors import filing_get
    from gongjiang.credentials.services.filing import filing_create

    levels = _occupation_levels(occupations)
    organisation = _organisation(organisation_code, "ORGANISATION_CODE")
    actor = system_actor("gongjiang credentials filings create")
    with _refusals():
        filing = filing_create(
            actor=actor, organisation=organisation, body_kind=body_kind, occupations=levels,
            valid_from=valid_from.date(), valid_until=valid_until.date(),
        )  # fmt: skip
    _print_filing(_filing_row(filing_get(actor=actor, number=filing.number)), as_json)


def _filing_change_command(name: str, verb: str, note: str) -> None:
    @filings_group.command(name, help=f"{verb}备案（须填原因）。{note}")
    @data_dir_option
    @click.argument("number")
    @_REASON
    @_AS_JSON
    def change(data_dir: Path | None, number: str, reason: str, as_json: bool) -> None:
        _setup(data_dir)
        from gongjiang.core.actors import system_actor
        from gongjiang.credentials.selectors import filing_get
        from gongjiang.credentials.services import filing as services

        actor = system_actor(f"gongjiang credentials filings {name}")
        with _refusals():
            filing = filing_get(actor=actor, number=number.strip().upper()[:24])
            # The version just read: a change made by someone else in between is refused by the service.
            getattr(services, f"filing_{name}")(actor=actor, filing=filing, version=filing.version, reason=reason)
        _print_filing(_filing_row(filing_get(actor=actor, number=filing.number)), as_json)


for _name, _verb, _note in (
    ("suspend", "暂停", "暂停期间不得据此签发证书。"),
    ("reinstate", "恢复", "只能恢复暂停的备案。"),
    ("end", "终止", "终止后不可恢复；已签发的证书仍然有效。"),
):
    _filing_change_command(_name, _verb, _note)


# -- the 一体化 equivalence switch ------------------------------------------------------------------


@credentials_group.group("equivalence")
def equivalence_group() -> None:
    """一体化毕业等效认定规则：查看切换记录，启用或停用。"""


def _switch_row(s: Any) -> dict[str, Any]:
    return {
        "bureau": s.bureau.code, "bureau_name": s.bureau.name, "enabled": s.enabled,
        "effective_on": s.effective_on.isoformat(), "reason": s.reason, "recorded_at": s.recorded_at.isoformat(),
    }  # fmt: skip


def _print_switch(row: dict[str, Any]) -> None:
    state = "启用" if row["enabled"] else "停用"
    click.echo(f"{row['bureau']:<20} {row['bureau_name']} 自{row['effective_on']}起{state}：{row['reason']}")


@equivalence_group.command("show")
@data_dir_option
@click.option("--region", default=None, help="只列出与该行政区划代码有关的切换（上级与下级部门的）。")
@_AS_JSON
def equivalence_show(data_dir: Path | None, region: str | None, as_json: bool) -> None:
    """列出一体化等效认定规则的切换记录，新的在前。"""
    _setup(data_dir)
    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.selectors import equivalence_list

    region_code = None if region is None else region.strip()[:6]
    rows = [_switch_row(s) for s in equivalence_list(actor=system_actor(), region_code=region_code)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("尚无切换记录：一体化等效认定规则未启用。")
    for row in rows:
        _print_switch(row)


@equivalence_group.command("switch")
@data_dir_option
@click.argument("state", type=click.Choice(["on", "off"]))
@click.option("--bureau", "bureau_code", required=True, help="切换本辖区规则的人社部门的机构代码。")
@click.option("--from", "effective_on", type=_DATE, default=None, help="生效日期（YYYY-MM-DD，默认今天，最晚一年内）。")
@_REASON
@_AS_JSON
def equivalence_switch(
    data_dir: Path | None, state: str, bureau_code: str, effective_on: Any, reason: str, as_json: bool
) -> None:
    """以人社部门的名义启用（on）或停用（off）其辖区的一体化毕业等效认定规则。"""
    _setup(data_dir)
    from gongjiang.core import clock
    from gongjiang.credentials.services.filing import equivalence_switch as switch
    from gongjiang.directory.models import OrganisationKind

    bureau = _organisation(bureau_code, "--bureau", OrganisationKind.BUREAU)
    actor = _acting_for(bureau, "gongjiang credentials equivalence switch")
    day = clock.today() if effective_on is None else effective_on.date()
    with _refusals():
        made = switch(actor=actor, enabled=state == "on", effective_on=day, reason=reason)
    row = _switch_row(made)
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False, indent=2))
    else:
        _print_switch(row)


# -- 双证书 and skill certificates ------------------------------------------------------------------


@credentials_group.group("dual")
def dual_group() -> None:
    """双证书：把毕业证书与同一持证人的职业技能等级证书登记在一起。"""


@dual_group.command("link")
@data_dir_option
@click.argument("diploma_number")
@click.argument("skill_numbers", nargs=-1, required=True)
@_AS_JSON
def dual_link(data_dir: Path | None, diploma_number: str, skill_numbers: tuple[str, ...], as_json: bool) -> None:
    """登记双证书：毕业证书编号，后接一个或多个职业技能等级证书编号（须为同一持证人有效的证书）。"""
    _setup(data_dir)
    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.numbers import normalise
    from gongjiang.credentials.selectors import certificate_get
    from gongjiang.credentials.services.certificates import MAX_DUAL_SKILLS
    from gongjiang.credentials.services.certificates import dual_link as link

    if len(skill_numbers) > MAX_DUAL_SKILLS:
        raise click.BadParameter(f"一份双证书最多 {MAX_DUAL_SKILLS} 张职业技能等级证书。", param_hint="SKILL_NUMBERS")
    actor = system_actor("gongjiang credentials dual link")

    def certificate(number: str) -> Any:
        from django.http import Http404

        try:
            return certificate_get(actor=actor, number=normalise(number))
        except Http404:
            raise click.ClickException(f"没有编号为“{number[:40]}”的证书。") from None

    diploma = certificate(diploma_number)
    skills = list({c.pk: c for c in map(certificate, skill_numbers)}.values())
    with _refusals():
        link(actor=actor, diploma=diploma, skills=skills)
    row = {"diploma": diploma.number, "skills": [s.number for s in skills]}
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False, indent=2))
    else:
        click.echo(f"已登记双证书：{row['diploma']} 与 {'、'.join(row['skills'])}。")


def _print_certificate(c: Any, as_json: bool) -> None:
    row = {
        "number": c.number, "kind": c.kind, "basis": c.basis, "issuer": c.issuer.code,
        "occupation_code": c.occupation_code or None, "skill_level": c.skill_level,
        "issued_at": c.issued_at.isoformat(),
    }  # fmt: skip
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False, indent=2))
    else:
        click.echo(
            f"已签发 {row['number']}：职业 {row['occupation_code']} {row['skill_level']} 级，签发机构 {row['issuer']}。"
        )


@credentials_group.command("issue")
@data_dir_option
@click.argument("assessment_id", type=click.IntRange(1, 2**63 - 1))
@_AS_JSON
def credentials_issue(data_dir: Path | None, assessment_id: int, as_json: bool) -> None:
    """为一次认定合格（或竞赛获奖直接认定）的记录签发职业技能等级证书，由认定它的评价机构签发。"""
    _setup(data_dir)
    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.services.certificates import certificate_issue_for_assessment
    from gongjiang.registry.selectors import assessment_list

    actor = system_actor("gongjiang credentials issue")
    assessment = assessment_list(actor=actor).select_related("evaluator", "person", "award").filter(pk=assessment_id)
    found = assessment.first()
    if found is None:
        raise click.ClickException(f"没有编号为 {assessment_id} 的技能等级认定记录。")
    with _refusals():
        made = certificate_issue_for_assessment(actor=actor, assessment=found)
    _print_certificate(made, as_json)


@credentials_group.command("issue-integrated")
@data_dir_option
@click.argument("registration_id", type=click.IntRange(1, 2**63 - 1))
@click.option("--occupation", "occupation_code", required=True, help="专业对应、本校备案覆盖的职业代码。")
@_AS_JSON
def credentials_issue_integrated(
    data_dir: Path | None, registration_id: int, occupation_code: str, as_json: bool
) -> None:
    """按人社部门启用的一体化毕业等效认定规则，由学校为一体化课程毕业生签发职业技能等级证书。"""
    _setup(data_dir)
    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.services.certificates import certificate_issue_integrated
    from gongjiang.registry.selectors import registration_get

    actor = system_actor("gongjiang credentials issue-integrated")
    with _refusals():
        registration = registration_get(actor=actor, registration_id=registration_id)
        made = certificate_issue_integrated(
            actor=actor, registration=registration, occupation_code=occupation_code.strip()[:16]
        )
    _print_certificate(made, as_json)
