"""Benchmark: signing and verifying certificates with ``gongjiang.credentials.vc``.

Signs N Open Badges 3.0 skill certificates (the shape of tests/credentials/vcdata.py, with two
status entries each) with one Ed25519 key, then verifies M of them against their signed status
lists, and records: signatures per second (one process), the share of canonicalisation in it,
and verification p50/p95 in benchmarks/results/credential_signing.json. The 100,000-certificate
batch of issue 17 is this rate times the worker processes used.

    ./gj run python benchmarks/credential_signing.py [--sign 2000] [--verify 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
    parser.add_argument("--sign", type=int, default=2000)
    parser.add_argument("--verify", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    os.environ.setdefault("GONGJIANG_DATA_DIR", "/tmp/gj-bench-credentials")
    import django

    django.setup()
    from tests.credentials.vcdata import Issuer, MemoryTrust, skill_certificate

    from gongjiang.credentials.vc import keys
    from gongjiang.credentials.vc.canon import canonicalize
    from gongjiang.credentials.vc.verify import verify_credential

    issuer = Issuer(keys.generate_key())
    trust = MemoryTrust(has_registry=False)
    trust.publish(issuer)
    unsigned = [skill_certificate(issuer.did, holder=f"学员{i}", status=issuer.status(i)) for i in range(args.sign)]
    issuer.sign(unsigned[0])  # warm the context cache
    load_before = round(os.getloadavg()[0], 2)

    start = time.perf_counter()
    for doc in unsigned[:200]:
        canonicalize(doc)
    canon_each = (time.perf_counter() - start) / min(200, len(unsigned))

    start = time.perf_counter()
    signed = [issuer.sign(doc) for doc in unsigned]
    sign_seconds = time.perf_counter() - start

    timings = []
    for doc in signed[: args.verify]:
        t0 = time.perf_counter()
        report = verify_credential(doc, trust)
        timings.append((time.perf_counter() - t0) * 1000)
        assert report.ok(), report.as_dict()
    timings.sort()

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
        ).stdout.strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "credentials_signed": args.sign,
        "sign_per_second_one_process": round(args.sign / sign_seconds, 1),
        "sign_ms_each": round(sign_seconds / args.sign * 1000, 2),
        "canonicalise_document_ms_each": round(canon_each * 1000, 2),
        "verify_with_status_lists_ms_p50": round(statistics.median(timings), 2),
        "verify_with_status_lists_ms_p95": round(timings[int(len(timings) * 0.95) - 1], 2),
        "credentials_verified": len(timings),
        # The machine is shared: the 1-minute load average before and after.
        "load_1min_before_after": [load_before, round(os.getloadavg()[0], 2)],
    }
    out = ROOT / "benchmarks" / "results" / "credential_signing.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
