"""The registry's kinds of background task (`core.tasks`): web imports."""

from __future__ import annotations

from typing import Any

from gongjiang.core import tasks
from gongjiang.registry import import_jobs


@tasks.task(import_jobs.TASK, on_lost=import_jobs.discard)
def run_import(arguments: dict[str, Any]) -> dict[str, Any]:
    return import_jobs.run(arguments)


@tasks.maintenance
def remove_import_files() -> None:
    import_jobs.clean_up()
