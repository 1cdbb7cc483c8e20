"""The `gongjiang` command. Every subcommand takes `--data-dir` and honours `DATABASE_URL` the
same way; Django is set up only after those are known.

The group (`base.main`) is assembled from one module per command group; importing them here, in
this order, adds their commands to it."""

# isort: off
from gongjiang.cli import site, reference, insight, spreadsheets, credentials, assessment, operations

# isort: on
from gongjiang.cli.base import main

__all__ = ["assessment", "credentials", "insight", "main", "operations", "reference", "site", "spreadsheets"]
