"""Password validators on every path that sets a password (issue 16 item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from gongjiang.core.actors import system_actor
from gongjiang.directory import services
from gongjiang.directory.models import User
from tests.test_cli import run_process as run


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["short1", "12345678901234", "password123", "school-admin-x"])
def test_user_create_refuses_a_weak_password_in_chinese(weak: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.user_create(actor=system_actor(), username="school-admin-x", password=weak, email="x@example.com")
    assert refused.value.message_dict["password"]
    assert any("\u4e00" <= c <= "\u9fff" for c in refused.value.message_dict["password"][0])
    assert not User.objects.filter(username="school-admin-x").exists()


@pytest.mark.django_db
def test_a_strong_password_is_accepted() -> None:
    user = services.user_create(actor=system_actor(), username="clerk-q", password="turbine-lathe-73")
    assert user.check_password("turbine-lathe-73")


def test_the_demo_refuses_a_weak_password_before_building_anything(tmp_path: Path) -> None:
    result = run("demo", "--no-serve", "--scale", "small", "--password", "123456", data_dir=tmp_path)
    assert result.returncode != 0
    assert "--password 给出的密码不符合密码规则" in result.stderr
    assert not (tmp_path / "gongjiang.sqlite3").exists()


def test_createsuperuser_without_input_refuses_a_weak_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "123")
    result = run(
        "manage", "createsuperuser", "--noinput", "--username", "op", "--email", "op@x.example", data_dir=tmp_path
    )
    assert result.returncode != 0
    assert "DJANGO_SUPERUSER_PASSWORD 给出的密码不符合密码规则" in result.stderr
