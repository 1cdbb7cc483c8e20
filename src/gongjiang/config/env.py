"""Typed helpers that read the environment once, when settings are imported."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_date(name: str) -> dt.date | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date such as 2026-09-01, not {value[:40]!r}") from None


def data_dir() -> Path:
    """The directory holding the SQLite database, the secret key and generated files.

    `GONGJIANG_DATA_DIR` wins; otherwise `./var` under the working directory, so that a
    checkout keeps its demo data beside it and never in the source tree.
    """
    path = Path(env_str("GONGJIANG_DATA_DIR") or "var").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """Use `GONGJIANG_SECRET_KEY` when set; otherwise keep a generated key in the data dir."""
    configured = env_str("GONGJIANG_SECRET_KEY")
    if configured:
        return configured
    key_file = directory / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()
