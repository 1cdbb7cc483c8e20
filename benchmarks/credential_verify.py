"""Benchmark: verifying a certificate the way a user does, with the database as the trust source.

On DATABASE_URL (PostgreSQL), a school's N graduates (written in bulk) get their diplomas through
`certificate_issue_diplomas`, one in ten is revoked and one in ten suspended; then each of the N
signed credentials is posted, in a shuffled order, to `POST /api/v1/credentials/verify` and to the
public page `/credentials/verify/` through Django's whole request stack (middleware, the rate limit
counted in the database, `DatabaseTrust` reading the DID document, the filing registry and both
status lists from PostgreSQL). Records p50/p95/max per path, wall-clock and the process's CPU time, in
benchmarks/results/credential_verify.json, with the 1-minute load before and after (the machine
is shared).

    DATABASE_URL=postgres://… ./gj run python benchmarks/credential_verify.py [--count 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("set DATABASE_URL to a PostgreSQL database")
    os.environ.setdefault("GONGJIANG_DATA_DIR", "/tmp/gj-bench-verify")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    from benchmarks.credential_issuing import _graduates, _has_refdata
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from gongjiang.core.actors import system_actor
    from gongjiang.credentials.models import Certificate
    from gongjiang.credentials.selectors import graduates_without_diploma
    from gongjiang.credentials.services import certificates as issuing
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.services import refdata_load

    call_command("migrate", verbosity=0)
    actor = system_actor("benchmark")
    if not _has_refdata():
        refdata_load(actor=actor, path=BUILTIN_DIR)
    school = _graduates(args.count, f"V{int(time.time())}")
    waiting = list(graduates_without_diploma(actor=actor, school=school))
    issuing.certificate_issue_diplomas(actor=actor, school=school, registrations=waiting)
    certificates = list(Certificate.objects.filter(issuer=school).order_by("id"))
    for position, certificate in enumerate(certificates):
        if position % 10 == 3:
            issuing.certificate_set_status(actor=actor, certificate=certificate, status="revoked", reason="基准")
        elif position % 10 == 7:
            issuing.certificate_set_status(actor=actor, certificate=certificate, status="suspended", reason="基准")
    credentials = [dict(c.credential) for c in certificates]
    random.Random(17).shuffle(credentials)
    # One client address posts them all: the limit is counted (in the database) but not reached.
    settings.CREDENTIALS_VERIFY_PER_MINUTE = 10 * len(credentials) + 10

    client = Client()
    client.post("/api/v1/credentials/verify", {"verifiableCredential": credentials[0]}, content_type="application/json")
    timings: dict[str, list[float]] = {"api": [], "page": [], "api_cpu": [], "page_cpu": []}
    verdicts: dict[str, int] = {}
    load_before = round(os.getloadavg()[0], 2)
    for credential in credentials:
        start, cpu = time.perf_counter(), time.process_time()
        answer = client.post(
            "/api/v1/credentials/verify", {"verifiableCredential": credential}, content_type="application/json"
        )
        timings["api"].append((time.perf_counter() - start) * 1000)
        timings["api_cpu"].append((time.process_time() - cpu) * 1000)
        assert answer.status_code in (200, 400), answer.status_code
        verdicts[str(answer.status_code)] = verdicts.get(str(answer.status_code), 0) + 1
        start, cpu = time.perf_counter(), time.process_time()
        page = client.post("/credentials/verify/", {"credential": json.dumps(credential, ensure_ascii=False)})
        timings["page"].append((time.perf_counter() - start) * 1000)
        timings["page_cpu"].append((time.process_time() - cpu) * 1000)
        assert page.status_code == 200, page.status_code
    load_after = round(os.getloadavg()[0], 2)

    def summary(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
            "max_ms": round(ordered[-1], 2),
        }

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
        ).stdout.strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": "postgresql",
        "credentials": len(credentials),
        "answers_api": verdicts,
        "api_verify": summary(timings["api"]),
        "page_verify": summary(timings["page"]),
        # CPU time of this process alone (not PostgreSQL's): what the load on the machine moves least.
        "api_verify_cpu_of_the_process": summary(timings["api_cpu"]),
        "page_verify_cpu_of_the_process": summary(timings["page_cpu"]),
        "load_1min_before_after": [load_before, load_after],
    }
    out = ROOT / "benchmarks" / "results" / "credential_verify.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
