"""What every command group shares: the `gongjiang` group itself, `--data-dir` and Django's set-up
(only after that option and `DATABASE_URL` are known), migrations, and the helpers several groups use."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_PORT = 8000


def _setup(data_dir: Path | None) -> None:
    if data_dir is not None:
        os.environ["GONGJIANG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()


def data_dir_option(fn: F) -> F:
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        envvar="GONGJIANG_DATA_DIR",
        help="数据目录（SQLite 数据库、密钥）；默认 ./var。设置 DATABASE_URL 时数据库改用该地址。",
    )(fn)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gongjiang")
def main() -> None:
    """工匠 Gongjiang: 技工教育与产教融合开放平台。"""


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _sqlite_path() -> Path | None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return Path(db["NAME"]) if db["ENGINE"].endswith("sqlite3") else None


def _load_builtin_refdata() -> None:
    from rich.progress import Progress

    from gongjiang.core.actors import system_actor
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.services import refdata_load

    with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("参考数据", total=None)
        refdata_load(
            actor=system_actor(),
            path=BUILTIN_DIR,
            progress=lambda label, done, total: bar.update(task, description=label, completed=done, total=total),
        )


def _progress_bar() -> Any:
    """A bar of named steps on a terminal; nothing when standard error is not one."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, transient=True, disable=not sys.stderr.isatty())


def _build_snapshot_with_progress(build: Callable[..., Any]) -> None:
    with _progress_bar() as bar:
        task = bar.add_task("DuckDB 快照", total=None)
        build(progress=lambda label, done, total: bar.update(task, description=label, completed=done, total=total))


def _school(code: str) -> Any:
    from gongjiang.directory.models import Organisation, OrganisationKind

    school = Organisation.objects.filter(code=code, kind=OrganisationKind.SCHOOL).first()
    if school is None:
        raise click.BadParameter(
            f"没有机构代码为“{code}”的技工院校（可用 gongjiang orgs --kind school 查看）", param_hint="--school"
        )
    return school


def _refuse_weak_password(password: str, source: str) -> None:
    """Stop with the validators' reasons (settings.AUTH_PASSWORD_VALIDATORS) before anything is written."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password)
    except ValidationError as exc:
        raise click.UsageError(
            f"{source} 给出的密码不符合密码规则：{'；'.join(exc.messages)} 请换一个更长、更难猜的密码。"
        ) from exc


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """A service's refusal as the command's: its Chinese reasons on standard error and exit code 1.
    The services refuse before they write (or inside their transaction), so nothing stays."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    try:
        yield
    except ValidationError as exc:
        raise click.ClickException("；".join(exc.messages)) from None
    except PermissionDenied as exc:
        raise click.ClickException(str(exc)) from None
    except Http404:
        raise click.ClickException("没有找到该记录。") from None


def _organisation(code: str, option: str, kind: str | None = None) -> Any:
    """The organisation with `code` (of `kind` when given), or a usage error naming the option."""
    from gongjiang.directory.models import Organisation

    found = Organisation.objects.filter(code=code.strip()[:32])
    if kind is not None:
        found = found.filter(kind=kind)
    organisation = found.first()
    if organisation is None:
        raise click.BadParameter(
            f"没有机构代码为“{code[:32]}”的{'单位' if kind is None else '相应机构'}（可用 gongjiang orgs 查看）",
            param_hint=option,
        )
    return organisation


def _acting_for(organisation: Any, label: str) -> Any:
    """The command line's operator acting for `organisation`, for the steps whose service asks which
    organisation acts (a bureau switching its region's rule); allowed and audited like any operator."""
    from gongjiang.core.actors import Actor, system_actor
    from gongjiang.core.scope import ActorKind

    operator = system_actor(label)
    return Actor(
        kind=ActorKind.OPERATOR, username=operator.username, organisation_id=organisation.pk,
        organisation_code=organisation.code, organisation_name=organisation.name,
        region_code=organisation.region_code,
    )  # fmt: skip
