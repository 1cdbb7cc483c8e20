"""The whole test suite in two timed stages, as `./gj test` and CI run it.

1. parallel: every test that runs inside a rolled-back transaction, spread over pytest-xdist
   workers, each with its own test database and world; a module goes to one worker whole, so
   its module-scoped data is built once.
2. serial: tests that commit data (browser tests against a live server, transactional tests);
   they empty the database after themselves, so they run alone, after the rest.

Both stages run even when the first fails, so one run reports every failure.

Extra arguments go to both stages. `GONGJIANG_TEST_WORKERS` sets the number of workers
(default: the number of CPUs, at most 4; 1 runs the first stage without xdist).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

NO_TESTS_COLLECTED = 5


def main(argv: list[str]) -> int:
    workers = int(os.environ.get("GONGJIANG_TEST_WORKERS") or min(os.cpu_count() or 1, 4))
    parallel = ["-n", str(workers), "--dist", "loadscope"] if workers > 1 else []
    stages = [
        ("parallel", ["-m", "not serial", *parallel]),
        ("serial", ["-m", "serial"]),
    ]
    timings: list[tuple[str, float, int]] = []
    for name, options in stages:
        print(f"\n== test stage: {name} ==", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", "pytest", *options, *argv])
        timings.append((name, time.monotonic() - started, code))
    print("\n== test stage timings ==")
    for name, seconds, code in timings:
        print(f"  {name:<9} {seconds / 60:5.1f} min  exit {code}")
    failed = [code for _name, _seconds, code in timings if code not in (0, NO_TESTS_COLLECTED)]
    return failed[0] if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
