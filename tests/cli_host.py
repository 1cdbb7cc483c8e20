"""Runs `gongjiang` commands one after another in one process, for the command-line tests.

Started once per test module on a data directory (`tests/test_cli.py`), it reads one JSON list
of arguments a line on its standard input, runs the command through click's test runner, as
`gongjiang ARGS` would run it, and answers one JSON line with the exit code, the standard output
and the standard error. Starting Python, Django and the app for each command was most of the
command-line tests' time; where starting a process is the point (the demo's output, the server,
an import killed half-way) the tests still start one.

    python -m tests.cli_host
"""

from __future__ import annotations

import json
import os
import sys
import traceback

from click.testing import CliRunner


def main() -> int:
    # Answers go to a copy of the standard output; anything written to file descriptor 1 itself
    # (a child process that inherits it) goes to the standard error instead of into an answer.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    from django.db import connections

    from gongjiang.cli import main as gongjiang

    runner = CliRunner()
    for line in sys.stdin:
        result = runner.invoke(gongjiang, json.loads(line), catch_exceptions=True)
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            # An exception the command did not handle: the traceback a user would have seen.
            assert result.exc_info is not None
            stderr += "".join(traceback.format_exception(*result.exc_info))
        # As when a command's process ends: nothing is left open for the next command or test.
        connections.close_all()
        answers.write(json.dumps({"returncode": result.exit_code, "stdout": result.stdout, "stderr": stderr}) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
