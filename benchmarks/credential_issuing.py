"""Benchmark: issuing certificates, where the time goes, and a batch issued by several processes.

1. One process, through the services: files an evaluation body, makes N holders and issues N skill
   certificates through `credentials.services.certificates._issue` in chunks of 1,000 (numbers,
   random status-list slots, the OB3 document, the signature, the insert, the audit entries);
   then signs the same N documents again with the key alone.
2. Where signing's time goes, per credential, in CPU time: JSON-LD expansion (pyld, safe mode), the rest of
   toRdf (node map, quads), RDFC-1.0 canonicalisation (pyld's URDNA2015), and the whole signature
   (both canonicalisations, hashes, Ed25519, copies).
3. With DATABASE_URL (PostgreSQL): for each count of processes in --processes, a school's batch
   of --batch graduates (made in bulk, outside what is measured) issued as `batch_start` queues
   it, by that many `gongjiang worker --until-idle` processes; the rate counts from the first
   part's start to the batch's end (worker start-up excluded) and from launch to exit.

The 1-minute load average is recorded before and after each part: the machine is shared.

    DATABASE_URL=postgres://… ./gj run python benchmarks/credential_issuing.py [--count 1000]
        [--batch 6000] [--processes 1 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=6000)
    parser.add_argument("--processes", type=int, nargs="*", default=[1, 2])
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
    from gongjiang.refdata.builtin import BUILTIN_DIR
    from gongjiang.refdata.services import refdata_load

    actor = system_actor("benchmark")
    if not _has_refdata():
        refdata_load(actor=actor, path=BUILTIN_DIR)
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
        ).stdout.strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": "postgresql" if "DATABASE_URL" in os.environ else "sqlite",
    }
    result["one_process"] = _one_process(actor, args.count)
    result["signing_breakdown_cpu_ms_each"] = _breakdown(actor)
    if "DATABASE_URL" in os.environ:
        result["batch"] = [_batch(actor, args.batch, n, data_dir) for n in args.processes]
    out = ROOT / "benchmarks" / "results" / "credential_issuing.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _has_refdata() -> bool:
    from gongjiang.refdata.models import Concept

    return Concept.objects.exists()


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _body() -> Any:
    from gongjiang.core.actors import system_actor
    from gongjiang.credentials import services
    from gongjiang.credentials.models import Filing
    from gongjiang.directory.models import Organisation

    Organisation.objects.get_or_create(
        code="BBENCH", defaults={"kind": "bureau", "name": "基准人社部门", "region_code": "150000"}
    )
    body, _made = Organisation.objects.get_or_create(
        code="VBENCH", defaults={"kind": "evaluator", "name": "基准评价机构", "region_code": "150000"}
    )
    filing = Filing.objects.filter(organisation=body).first() or services.filing_create(
        actor=system_actor("benchmark"), organisation=body, body_kind="evaluation_organisation",
        occupations={"6-18-01-07": 1}, valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2030, 12, 31),
    )  # fmt: skip
    return body, filing


def _one_process(actor: Any, count: int) -> dict[str, Any]:
    from django.db import transaction

    from gongjiang.credentials.services import certificates as issuing
    from gongjiang.credentials.vc import proofs
    from gongjiang.directory.models import Person

    body, filing = _body()
    start_id = Person.objects.count()
    Person.objects.bulk_create(
        Person(name=f"学员{start_id + i}", id_type="passport", id_number=f"BENCH{start_id + i:09d}", birth_date=dt.date(2006, 1, 1), sex="M")
        for i in range(count)
    )  # fmt: skip
    holders = list(Person.objects.order_by("-id")[:count])
    drafts = [
        issuing._skill_draft(
            basis="assessment", holder=person, filing=filing, occupation_code="6-18-01-07", level=4,
            on_date=dt.date(2026, 6, 1), evidence=[], fields={},
        )
        for person in holders
    ]  # fmt: skip
    signer = issuing._Signer.of(actor, body)
    signer.sign(drafts[0].build("Z26WARMUP0000000", _issuer(signer), "预热", _now(), _status()), _now())
    load_before = _load()
    start, cpu = time.perf_counter(), time.process_time()
    made = []
    for part in range(0, len(drafts), 1000):
        with transaction.atomic():
            made += issuing._issue(actor, signer, drafts[part : part + 1000], "certificate.issue")
    issue_seconds, issue_cpu = time.perf_counter() - start, time.process_time() - cpu

    key = issuing.issuers.load_or_create_key(body)
    unsigned = [{k: v for k, v in c.credential.items() if k != "proof"} for c in made]
    start, cpu = time.perf_counter(), time.process_time()
    for document in unsigned:
        proofs.sign(document, key=key, verification_method=signer.method, created=_now())
    sign_seconds, sign_cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "certificates_issued": len(made),
        "issue_per_second": round(len(made) / issue_seconds, 1),
        "sign_alone_per_second": round(len(unsigned) / sign_seconds, 1),
        "signing_share_of_issuing": round(sign_seconds / issue_seconds, 3),
        # CPU time of this process alone (PostgreSQL's own is not in it): what the load moves least.
        "issue_cpu_ms_each": round(issue_cpu / len(made) * 1000, 2),
        "sign_alone_cpu_ms_each": round(sign_cpu / len(unsigned) * 1000, 2),
        "load_1min_before_after": [load_before, _load()],
    }


def _breakdown(actor: Any, count: int = 300, rounds: int = 5) -> dict[str, Any]:
    """Each stage timed over `count` documents, `rounds` times in turn: the medians of the
    process's CPU time (one thread, no database), which the machine's load moves least."""
    from pyld.canon import URDNA2015

    from gongjiang.credentials.models import Certificate
    from gongjiang.credentials.services import certificates as issuing
    from gongjiang.credentials.vc import proofs
    from gongjiang.credentials.vc.canon import DEFAULT_LOADER, _SafeProcessor

    body, _filing = _body()
    signer = issuing._Signer.of(actor, body)
    key = issuing.issuers.load_or_create_key(body)
    documents = [
        {k: v for k, v in c.credential.items() if k != "proof"}
        for c in Certificate.objects.filter(issuer=body).order_by("-id")[:count]
    ]

    def options() -> dict[str, Any]:
        return {"documentLoader": DEFAULT_LOADER, "base": None, "produceGeneralizedRdf": False}

    stages: dict[str, list[float]] = {"expand": [], "to_rdf": [], "urdna2015": [], "sign": []}
    load_before = _load()
    for _round in range(rounds):
        start = time.process_time()
        for document in documents:
            _SafeProcessor().expand(document, options())
        stages["expand"].append(time.process_time() - start)
        start = time.process_time()
        datasets = [_SafeProcessor().to_rdf(document, options()) for document in documents]
        stages["to_rdf"].append(time.process_time() - start)
        start = time.process_time()
        for dataset in datasets:
            URDNA2015().main(dataset, {"format": "application/n-quads"})
        stages["urdna2015"].append(time.process_time() - start)
        start = time.process_time()
        for document in documents:
            proofs.sign(document, key=key, verification_method=signer.method, created=_now())
        stages["sign"].append(time.process_time() - start)
    ms = {name: round(statistics.median(times) / len(documents) * 1000, 3) for name, times in stages.items()}
    return {
        "jsonld_expansion": ms["expand"],
        "node_map_and_quads": round(ms["to_rdf"] - ms["expand"], 3),
        "rdfc_1_0_canonicalisation": ms["urdna2015"],
        "whole_signature": ms["sign"],
        "documents": len(documents),
        "rounds": rounds,
        "load_1min_before_after": [load_before, _load()],
    }


def _graduates(count: int, tag: str) -> Any:
    """A school with `count` graduates whose graduation is approved, written in bulk."""
    from gongjiang.directory.models import Organisation, Person
    from gongjiang.registry.models import MajorOffering, Registration, RegistrationEvent, SchoolClass

    school = Organisation.objects.create(
        code=f"SBENCH{tag}", kind="school", name=f"基准技工学校{tag}", region_code="150203"
    )
    offering = MajorOffering.objects.create(
        school=school, major_code="0102", major_name="数控加工", class_levels=["senior"], status="filed",
        filed_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    school_class = SchoolClass.objects.create(
        school=school, offering=offering, name="2023级数控1班", class_level="senior", form="full_time",
        cohort_year=2023, planned_years=3,
    )  # fmt: skip
    people = Person.objects.bulk_create(
        Person(name=f"毕业生{i}", id_type="passport", id_number=f"G{tag}{i:08d}", birth_date=dt.date(2006, 1, 1), sex="F")
        for i in range(count)
    )  # fmt: skip
    registrations = Registration.objects.bulk_create(
        Registration(
            person=person, school=school, school_class=school_class, form="full_time",
            enrolled_on=dt.date(2023, 9, 1), status="graduated", is_active=False,
        )
        for person in people
    )  # fmt: skip
    RegistrationEvent.objects.bulk_create(
        RegistrationEvent(
            registration=registration, kind="graduate", effective_on=dt.date(2026, 6, 30), due_on=dt.date(2026, 7, 15),
            decision="approved",
        )
        for registration in registrations
    )  # fmt: skip
    return school


def _batch(actor: Any, count: int, processes: int, data_dir: Path) -> dict[str, Any]:
    from django.conf import settings

    from gongjiang.core.models import Task
    from gongjiang.credentials.models import IssuingBatch
    from gongjiang.credentials.services import certificates as issuing

    school = _graduates(count, f"{int(time.time())}{processes}")
    chunk = min(1000, -(-count // processes))
    settings.CREDENTIALS_BATCH_CHUNK = chunk
    batch = issuing.batch_start(actor=actor, school=school, total=count, parts=processes)
    env = {**os.environ, "GONGJIANG_CREDENTIALS_BATCH_CHUNK": str(chunk), "GONGJIANG_DATA_DIR": str(data_dir)}
    load_before = _load()
    launched = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "gongjiang.cli", "worker", "--until-idle"], env=env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(processes)
    ]  # fmt: skip
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for worker in workers:
        worker.wait()
    wall = time.perf_counter() - launched
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (children.ru_utime - children_before.ru_utime) + (children.ru_stime - children_before.ru_stime)
    batch = IssuingBatch.objects.get(pk=batch.pk)
    assert batch.state == "done" and batch.done == count, (batch.state, batch.done, batch.error)
    parts = Task.objects.filter(reference=f"credentials.batch:{batch.pk}")
    first_start = min(t.started_at for t in parts if t.started_at)
    assert batch.finished_at is not None
    issuing_seconds = (batch.finished_at - first_start).total_seconds()
    return {
        "processes": processes,
        "certificates": count,
        "workers_that_took_a_part": len({t.worker for t in parts}),
        "per_second_from_first_part_to_end": round(count / issuing_seconds, 1),
        "per_second_launch_to_exit": round(count / wall, 1),
        "minutes_for_100000_at_that_rate": round(100_000 / (count / issuing_seconds) / 60, 1),
        # CPU time of the worker processes (start-up included; PostgreSQL's own is not in it).
        "worker_cpu_ms_per_certificate": round(worker_cpu / count * 1000, 2),
        "load_1min_before_after": [load_before, _load()],
    }


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
