"""Benchmark: issuing certificates through the services, beside signing alone.

On a fresh SQLite data directory (or DATABASE_URL), files an evaluation body, makes N holders
and issues N skill certificates through `credentials.services.certificates._issue` in chunks of
1,000 (numbers, random status-list slots, the OB3 document, the signature, the insert and the
audit entries), then signs the same N documents again with the key alone. Records both rates in
benchmarks/results/credential_issuing.json. A batch of a province's 100,000 graduates runs at
the issuing rate times the worker processes used.

    ./gj run python benchmarks/credential_issuing.py [--count 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    data_dir = Path(os.environ.get("GONGJIANG_DATA_DIR", "/tmp/gj-bench-issuing"))
    if "DATABASE_URL" not in os.environ:
        shutil.rmtree(data_dir, ignore_errors=True)
    os.environ["GONGJIANG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gongjiang.core.actors import system_actor
    from gongjiang.credentials import services
    from gongjiang.credentials.services import certificates as issuing
    from gongjiang.credentials.vc import proofs
    from gongjiang.directory.models import Organisation, Person
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.services import refdata_load

    actor = system_actor("benchmark")
    refdata_load(actor=actor, path=BUILTIN_DIR)
    Organisation.objects.get_or_create(
        code="BBENCH", defaults={"kind": "bureau", "name": "基准人社部门", "region_code": "150000"}
    )
    body, _made = Organisation.objects.get_or_create(
        code="VBENCH", defaults={"kind": "evaluator", "name": "基准评价机构", "region_code": "150000"}
    )
    filing = services.filing_create(
        actor=actor, organisation=body, body_kind="evaluation_organisation", occupations={"6-18-01-07": 1},
        valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2030, 12, 31),
    )  # fmt: skip
    # Holders only need to exist: made in bulk, outside what is measured.
    start_id = Person.objects.count()
    Person.objects.bulk_create(
        Person(name=f"学员{start_id + i}", id_type="passport", id_number=f"BENCH{start_id + i:09d}", birth_date=dt.date(2006, 1, 1), sex="M")
        for i in range(args.count)
    )  # fmt: skip
    holders = list(Person.objects.order_by("-id")[: args.count])
    drafts = [
        issuing._skill_draft(
            basis="assessment", holder=person, filing=filing, occupation_code="6-18-01-07", level=4,
            on_date=dt.date(2026, 6, 1), evidence=[], fields={},
        )
        for person in holders
    ]  # fmt: skip
    signer = issuing._Signer.of(actor, body)
    signer.sign(drafts[0].build("Z26WARMUP0000000", _issuer(signer), "预热", _now(), _status()), _now())

    start = time.perf_counter()
    made = []
    for part in range(0, len(drafts), 1000):
        from django.db import transaction

        with transaction.atomic():
            made += issuing._issue(actor, signer, drafts[part : part + 1000], "certificate.issue")
    issue_seconds = time.perf_counter() - start

    key = issuing.issuers.load_or_create_key(body)
    unsigned = [{k: v for k, v in c.credential.items() if k != "proof"} for c in made]
    start = time.perf_counter()
    for document in unsigned:
        proofs.sign(document, key=key, verification_method=signer.method, created=_now())
    sign_seconds = time.perf_counter() - start

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
        ).stdout.strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": "postgresql" if "DATABASE_URL" in os.environ else "sqlite",
        "certificates_issued": len(made),
        "issue_per_second_one_process": round(len(made) / issue_seconds, 1),
        "sign_alone_per_second_one_process": round(len(unsigned) / sign_seconds, 1),
        "signing_share_of_issuing": round(sign_seconds / issue_seconds, 3),
        "hours_for_100000_one_process": round(100_000 / (len(made) / issue_seconds) / 3600, 2),
    }
    out = ROOT / "benchmarks" / "results" / "credential_issuing.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _issuer(signer: object) -> object:
    from gongjiang.credentials import documents

    return documents.Issuer(did=signer.did, name="基准评价机构")  # type: ignore[attr-defined]


def _status() -> object:
    from gongjiang.credentials import documents

    return documents.Status(
        "http://localhost:8000/credentials/status/x", 1, "http://localhost:8000/credentials/status/y", 2
    )


if __name__ == "__main__":
    sys.exit(main())
