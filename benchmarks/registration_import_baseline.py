"""Benchmark: Gongjiang's registration import against django-import-export on the same xlsx.

The ratio the register issue asks for. One run of this script, on one machine:

1. builds a database as registration_import.py does (built-in reference data, the demo
   organisations, three majors filed for the demo school) and the same workbook of N new students;
2. for each run, copies that database twice (CREATE DATABASE … TEMPLATE) and imports the workbook
   into one copy with Gongjiang's own import (`registrations_import`) and into the other with
   django-import-export, each in a fresh child process so that each has its own peak RSS;
   the order alternates between runs;
3. writes every run, the medians and their ratio to
   benchmarks/results/registration_import_baseline-<vendor>.json.

The django-import-export side is written the way its documentation advises for large imports
(https://django-import-export.readthedocs.io/en/latest/bulk_import.html, "Performance tuning"):
`use_bulk` with the default `batch_size` of 1000, `skip_diff`, `CachedInstanceLoader` for persons
(keyed on the identity number, so a known person would be updated, not duplicated),
`force_init_instance` for registrations (only created), and ForeignKeyWidgets that read their
queryset once instead of once per row. Its own xlsx reader (`formats.base_formats.XLSX`, openpyxl
through tablib) reads the file once; a PersonResource and then a RegistrationResource import the
dataset inside one transaction (`transaction.atomic()` around both `import_data` calls), and any
row error rolls both back. It writes the same persons (with birth date and sex derived from the
identity number, whose check digit it verifies) and the same registrations, and the script checks
that both sides' rows are identical (a digest of every created row).

What the baseline does not do, in Gongjiang's favour: create the classes (they are created before
its clock starts and timed separately), check that the region code in each identity number
exists, check phones, duplicates in the file, the one-full-time-registration rule and the majors
filed by the school, write the pending registration events and the three audit entries per row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gjbench_baseline \\
        uv run --group bench python benchmarks/registration_import_baseline.py --rows 100000 --commit HEAD

django-import-export is in the `bench` dependency group only (never a runtime dependency). Like
the other benchmarks it works in `test_<name>` (and `test_<name>_run`) of the DATABASE_URL
database, never in the database itself. PostgreSQL only (the copies use CREATE DATABASE TEMPLATE).

Gongjiang is measured as it is in the working tree, or with `--commit REF` as of that commit (the
script exports the commit's src/ and runs again with it first on PYTHONPATH, so that edits made
while it runs change nothing it measures; the environment's packages stay those of uv.lock).
Each run records where `gongjiang` was imported from and which of its Python files differ from the
commit.

Each import reports its wall time, its process's CPU time and peak RSS and, when PostgreSQL runs on
the same machine, the CPU time of its database backend; with other work on the machine the CPU
times move much less than the wall times. The 1-minute load average during each import is kept.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registration_import import HEADERS, ROOT, prepare_school, school_and_clerk, write_workbook

if TYPE_CHECKING:
    from gongjiang.directory.models import Organisation

GONGJIANG, IMPORT_EXPORT = "gongjiang", "django_import_export"
NAME, ID_NUMBER, MAJOR, CLASS, LEVEL, FORM, ENROLLED, PHONE, ETHNICITY = HEADERS
CLONE = "run"  # the copy of the prepared database one import works in
COMMIT_ENV = "GJ_BENCH_COMMIT"  # set by --commit for the rerun on the export


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backend_cpu_seconds(pid: int) -> float | None:
    """CPU time of this connection's PostgreSQL backend, when the server runs on this machine and
    /proc shows it: the database's share of the work, which the process's own CPU time leaves out."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- django-import-export ---------------------------------------------------------------------


def import_export_resources(school: Organisation) -> tuple[Any, Any]:
    """The two resources, declared after django.setup()."""
    from django.core.exceptions import ValidationError
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    from gongjiang.core.validators import parse_resident_id
    from gongjiang.directory.models import IdType, Person
    from gongjiang.registry.models import Registration, RegistrationStatus, SchoolClass, StudyForm

    class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
        """A ForeignKeyWidget that reads its queryset once, as the bulk-import docs advise, instead of
        a query per row. A value it does not know raises DoesNotExist like the stock widget."""

        def __init__(self, model: Any, field: str, key: Any = None) -> None:
            super().__init__(model, field=field)
            self.key = key or (lambda value, row: value)
            self.cache: dict[Any, Any] = {}

        def load(self, queryset: Any, key_of: Any) -> None:
            self.cache = {key_of(obj): obj for obj in queryset}

        def get_instance_by_lookup_fields(self, value: Any, row: Any, **kwargs: Any) -> Any:
            try:
                return self.cache[self.key(value, row)]
            except KeyError:
                raise self.model.DoesNotExist(f"{self.model.__name__} {value!r}") from None

    class LabelWidget(widgets.Widget):
        """A choice written as its label (全日制 → full_time)."""

        def __init__(self, choices: Any) -> None:
            super().__init__()
            self.values = {str(label): value for value, label in choices}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            try:
                return self.values[value]
            except KeyError:
                raise ValueError(f"unknown value {value!r}") from None

    date = widgets.DateWidget("%Y-%m-%d")

    class PersonResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name=NAME, widget=widgets.CharWidget())
        id_number = fields.Field(attribute="id_number", column_name=ID_NUMBER, widget=widgets.CharWidget())
        phone = fields.Field(attribute="phone", column_name=PHONE, widget=widgets.CharWidget())
        ethnicity = fields.Field(attribute="ethnicity", column_name=ETHNICITY, widget=widgets.CharWidget())

        class Meta:
            model = Person
            fields = ("name", "id_number", "phone", "ethnicity")
            import_id_fields = ("id_number",)
            instance_loader_class = CachedInstanceLoader
            use_bulk = True
            batch_size = 1000
            skip_diff = True

        def get_queryset(self) -> Any:
            return Person.objects.filter(id_type=IdType.RESIDENT_ID)

        def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            super().import_instance(instance, row, **kwargs)
            try:
                parsed = parse_resident_id(instance.id_number)
            except ValidationError as exc:
                raise ValidationError({"id_number": exc.messages}) from exc
            instance.birth_date, instance.sex = parsed.birth_date, parsed.sex

    class RegistrationResource(resources.ModelResource):
        person = fields.Field(
            attribute="person", column_name=ID_NUMBER, widget=CachedForeignKeyWidget(Person, "id_number")
        )
        school_class = fields.Field(
            attribute="school_class",
            column_name=CLASS,
            widget=CachedForeignKeyWidget(
                SchoolClass, "name", key=lambda value, row: (date.clean(row[ENROLLED]).year, value)
            ),
        )
        form = fields.Field(attribute="form", column_name=FORM, widget=LabelWidget(StudyForm.choices))
        enrolled_on = fields.Field(attribute="enrolled_on", column_name=ENROLLED, widget=date)

        class Meta:
            model = Registration
            fields = ("person", "school_class", "form", "enrolled_on")
            force_init_instance = True
            use_bulk = True
            batch_size = 1000
            skip_diff = True

        def __init__(self, school: Organisation, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.school = school

        def before_import(self, dataset: Any, **kwargs: Any) -> None:
            self.fields["person"].widget.load(
                Person.objects.filter(id_type=IdType.RESIDENT_ID, id_number__in=dataset[ID_NUMBER]),
                lambda p: p.id_number,
            )
            self.fields["school_class"].widget.load(
                SchoolClass.objects.filter(school=self.school), lambda c: (c.cohort_year, c.name)
            )

        def after_init_instance(self, instance: Any, new: bool, row: Any, **kwargs: Any) -> None:
            instance.school = self.school
            instance.status = RegistrationStatus.PENDING
            instance.is_active = True

    return PersonResource(), RegistrationResource(school)


def precreate_classes(school: Organisation, path: Path) -> int:
    """The classes named in the file, as Gongjiang's import would create them (every class here is
    a full-time intermediate or senior class: three years). Streams the file to keep its memory
    low; what it leaves resident shows in the RSS recorded before the import (about 12 MiB)."""
    from decimal import Decimal

    from openpyxl import load_workbook

    from gongjiang.registry.models import ClassLevel, MajorOffering, SchoolClass, StudyForm

    offerings = {o.major_code: o for o in MajorOffering.objects.filter(school=school)}
    levels = {str(label): value for value, label in ClassLevel.choices}
    forms = {str(label): value for value, label in StudyForm.choices}
    workbook = load_workbook(path, read_only=True)
    rows = workbook.active.iter_rows(values_only=True)
    column = {header: i for i, header in enumerate(next(rows))}
    classes: dict[tuple[int, str], SchoolClass] = {}
    for row in rows:
        key = (int(str(row[column[ENROLLED]])[:4]), str(row[column[CLASS]]))
        if key not in classes:
            classes[key] = SchoolClass(
                school=school,
                offering=offerings[str(row[column[MAJOR]])],
                name=key[1],
                class_level=levels[str(row[column[LEVEL]])],
                form=forms[str(row[column[FORM]])],
                cohort_year=key[0],
                planned_years=Decimal(3),
            )
    workbook.close()
    SchoolClass.objects.bulk_create(classes.values(), batch_size=1000)
    return len(classes)


def import_with_import_export(school: Organisation, path: Path) -> None:
    from django.db import transaction
    from import_export.formats.base_formats import XLSX

    dataset = XLSX().create_dataset(path.read_bytes())
    person_resource, registration_resource = import_export_resources(school)
    with transaction.atomic():
        for resource_ in (person_resource, registration_resource):
            result = resource_.import_data(dataset, use_transactions=True, rollback_on_validation_errors=True)
            if result.has_errors() or result.has_validation_errors():
                errors = [e.error for _, row_errors in result.row_errors()[:3] for e in row_errors]
                invalid = [(r.number, r.error_dict) for r in result.invalid_rows[:3]]
                raise RuntimeError(f"{type(resource_).__name__}: {errors or result.base_errors} {invalid}")


# -- one import in a child process ------------------------------------------------------------


def created_rows_digest(after_registration_id: int) -> tuple[int, str]:
    """How many registrations were created and an md5 over every created row (person, class,
    registration) in a fixed order, computed by PostgreSQL."""
    from django.db import connection

    from gongjiang.directory.models import Person
    from gongjiang.registry.models import MajorOffering, Registration, SchoolClass

    sql = f"""
        SELECT count(*), md5(coalesce(string_agg(concat_ws('|',
                 p.id_type, p.id_number, p.name, p.birth_date, p.sex, p.phone, p.ethnicity,
                 p.household_registration, c.school_id, c.cohort_year, c.name, o.major_code, c.class_level,
                 c.form, c.planned_years, r.school_id, r.form, r.enrolled_on, r.status, r.is_active, r.version),
               E'\\n' ORDER BY p.id_number), ''))
        FROM {Registration._meta.db_table} r
        JOIN {Person._meta.db_table} p ON p.id = r.person_id
        JOIN {SchoolClass._meta.db_table} c ON c.id = r.school_class_id
        JOIN {MajorOffering._meta.db_table} o ON o.id = c.offering_id
        WHERE r.id > %s
    """  # table names from the models
    with connection.cursor() as cursor:
        cursor.execute(sql, [after_registration_id])
        count, digest = cursor.fetchone()
    return count, digest


def child(which: str, path: Path) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max

    from gongjiang.core.models import AuditEntry
    from gongjiang.directory.models import Person
    from gongjiang.registry.models import Registration, RegistrationEvent, SchoolClass
    from gongjiang.registry.services.imports import registrations_import

    school, clerk, _bureau = school_and_clerk()
    out: dict[str, Any] = {}
    if which == IMPORT_EXPORT:
        import import_export  # fail before the clock starts if the bench group is not installed

        out["version"] = import_export.__version__
        started = time.perf_counter()
        out["classes_precreated"] = precreate_classes(school, path)
        out["seconds_to_precreate_classes"] = round(time.perf_counter() - started, 1)
    before = {
        model.__name__: model.objects.count()
        for model in (Person, SchoolClass, Registration, RegistrationEvent, AuditEntry)
    }
    last_registration = Registration.objects.aggregate(m=Max("id"))["m"] or 0
    out["rss_before_import_mib"], out["peak_rss_before_import_mib"] = rss_mib(), peak_rss_mib()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    backend_started = backend_cpu_seconds(backend)
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    if which == GONGJIANG:
        with path.open("rb") as source:
            report = registrations_import(actor=clerk, school=school, source=source, filename=path.name)
        if report.errors:
            print(report.errors[:5], file=sys.stderr)
            return 1
    else:
        import_with_import_export(school, path)
    out["import_seconds"] = round(time.perf_counter() - started, 2)
    out["cpu_seconds"] = round(cpu_seconds() - cpu_started, 1)
    backend_now = backend_cpu_seconds(backend)
    if backend_started is not None and backend_now is not None:
        out["postgres_backend_cpu_seconds"] = round(backend_now - backend_started, 1)
    out["peak_rss_mib"] = peak_rss_mib()
    out["created"] = {
        model.__name__: model.objects.count() - before[model.__name__]
        for model in (Person, SchoolClass, Registration, RegistrationEvent, AuditEntry)
    }
    out["registrations"], out["rows_digest"] = created_rows_digest(last_registration)
    print(json.dumps(out))
    return 0


# -- the parent: prepare once, then alternate the two imports ---------------------------------


class LoadSampler:
    """The 1-minute load average every 5 s while a child runs (other work on the machine shows here)."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self.stop.wait(5):
                return

    def __enter__(self) -> LoadSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def run_child(which: str, path: Path, env: dict[str, str]) -> dict[str, Any]:
    with LoadSampler() as load:
        done = subprocess.run(
            [sys.executable, __file__, "--child", which, "--workbook", str(path)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"{which} import failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_1min"] = {"min": round(min(load.samples), 2), "max": round(max(load.samples), 2)}
    return result


def url_for(settings_dict: dict[str, Any]) -> str:
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    return f"postgres://{at}{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


def git(*args: str, stdin: str | None = None) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], input=stdin, capture_output=True, text=True, check=True)
    return done.stdout


def source_state() -> dict[str, Any]:
    """Which Gongjiang a run measured: where the package was imported from (the working tree, or the
    export --commit made), the commit it is compared with, the Python files that differ from that
    commit, and a hash of the import module as it was on disk when the child started."""
    import gongjiang

    package = Path(gongjiang.__file__).resolve().parent
    commit = os.environ.get(COMMIT_ENV) or git("rev-parse", "HEAD").strip()
    committed = {}  # src/gongjiang/….py → blob id in that commit
    for line in git("ls-tree", "-r", commit, "--", "src/gongjiang").splitlines():
        meta, path = line.split("\t", 1)
        if path.endswith(".py"):
            committed[path] = meta.split()[2]
    on_disk = {f"src/gongjiang/{f.relative_to(package).as_posix()}": f for f in sorted(package.rglob("*.py"))}
    blobs = git("hash-object", "--stdin-paths", stdin="".join(f"{f}\n" for f in on_disk.values())).split()
    differing = {path for path, blob in zip(on_disk, blobs, strict=True) if committed.get(path) != blob}
    return {
        "gongjiang_imported_from": str(package),
        "commit": commit[:7],
        "py_files_differing_from_commit": sorted(differing | (committed.keys() - on_disk.keys())),
        "imports_py_sha256": hashlib.sha256((package / "registry" / "imports.py").read_bytes()).hexdigest()[:16],
    }


def rerun_on_commit(ref: str) -> int:
    """Export src/ as of `ref` and run this script again with that export first on PYTHONPATH, so
    that edits in the working tree during the runs change nothing that is measured."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}").strip()
    export = Path(tempfile.mkdtemp(prefix=f"gj-bench-{commit[:7]}-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(export, filter="data")
    path = os.pathsep.join(p for p in (str(export / "src"), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, COMMIT_ENV: commit}
    try:
        return subprocess.run([sys.executable, __file__, *sys.argv[1:]], env=env, check=False).returncode
    finally:
        shutil.rmtree(export)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--commit", help="measure Gongjiang as of this commit (an export of its src/) instead of the working tree"
    )
    parser.add_argument("--child", choices=(GONGJIANG, IMPORT_EXPORT), help=argparse.SUPPRESS)
    parser.add_argument("--workbook", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("GONGJIANG_DATA_DIR", tempfile.mkdtemp(prefix="gj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
    if args.child:
        return child(args.child, args.workbook)
    if args.commit and not os.environ.get(COMMIT_ENV):
        return rerun_on_commit(args.commit)
    try:
        import import_export
    except ImportError:
        print("django-import-export is missing: run with `uv run --group bench`", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("PostgreSQL only: set DATABASE_URL", file=sys.stderr)
        return 2
    creation = connection.creation
    old_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        prepare_school()
        prepare_seconds = time.perf_counter() - started
        started = time.perf_counter()
        path = Path(os.environ["GONGJIANG_DATA_DIR"]) / "registrations.xlsx"
        write_workbook(path, args.rows)
        write_seconds = time.perf_counter() - started
        env = {**os.environ, "DATABASE_URL": url_for(creation.get_test_db_clone_settings(CLONE))}
        runs = []
        for n in range(args.runs):
            order = (GONGJIANG, IMPORT_EXPORT) if n % 2 == 0 else (IMPORT_EXPORT, GONGJIANG)
            run: dict[str, Any] = {"order": list(order)}
            for which in order:
                if which == GONGJIANG:
                    run["gongjiang_source"] = source_state()
                creation.clone_test_db(suffix=CLONE, verbosity=0, autoclobber=True)
                try:
                    run[which] = run_child(which, path, env)
                finally:
                    creation.destroy_test_db(verbosity=0, suffix=CLONE)
                print(which, json.dumps(run[which]), file=sys.stderr)
            if run[GONGJIANG]["rows_digest"] != run[IMPORT_EXPORT]["rows_digest"]:
                print("the two imports did not create the same rows", file=sys.stderr)
                return 1
            run["ratio_import_export_seconds_to_gongjiang_seconds"] = round(
                run[IMPORT_EXPORT]["import_seconds"] / run[GONGJIANG]["import_seconds"], 2
            )
            runs.append(run)
    finally:
        creation.destroy_test_db(old_name, verbosity=0)

    def median(which: str, key: str) -> float:
        return float(statistics.median(run[which][key] for run in runs))

    seconds = {which: median(which, "import_seconds") for which in (GONGJIANG, IMPORT_EXPORT)}
    both = (GONGJIANG, IMPORT_EXPORT)
    cpu = {w: median(w, "cpu_seconds") for w in both}
    if all("postgres_backend_cpu_seconds" in run[w] for run in runs for w in both):
        for run in runs:
            for w in both:
                run[w]["cpu_seconds_with_backend"] = round(
                    run[w]["cpu_seconds"] + run[w]["postgres_backend_cpu_seconds"], 1
                )
        cpu = {w: median(w, "cpu_seconds_with_backend") for w in both}
    loads = [x for run in runs for w in both for x in run[w]["load_1min"].values()]
    result = {
        "benchmark": "registration_import_baseline",
        "what": "the same xlsx of new students imported on the same database by gongjiang's import (read, "
        "validate, write persons, classes, registrations, pending events and audit entries in one transaction) "
        "and by django-import-export (its xlsx reader; Person and Registration ModelResources with use_bulk, "
        "batch_size 1000, skip_diff, CachedInstanceLoader / force_init_instance and ForeignKeyWidgets cached "
        "once; both resources in one transaction; writes persons and registrations only, the classes are "
        "created before its clock starts); each import in a fresh copy of the database and its own process",
        "database": connection.vendor,
        "rows": args.rows,
        "workbook_mib": round(path.stat().st_size / 2**20, 1),
        "seconds_to_prepare_the_database": round(prepare_seconds, 1),
        "seconds_to_write_the_workbook": round(write_seconds, 1),
        "django_import_export": import_export.__version__,
        "runs": runs,
        "median_import_seconds": {which: round(s, 1) for which, s in seconds.items()},
        "median_rows_per_second": {which: round(args.rows / s) for which, s in seconds.items()},
        "median_peak_rss_mib": {which: round(median(which, "peak_rss_mib"), 1) for which in (GONGJIANG, IMPORT_EXPORT)},
        "ratio_import_export_seconds_to_gongjiang_seconds": round(seconds[IMPORT_EXPORT] / seconds[GONGJIANG], 2),
        "median_of_the_runs_ratios": round(
            statistics.median(r["ratio_import_export_seconds_to_gongjiang_seconds"] for r in runs), 2
        ),
        "median_cpu_seconds": {w: round(c, 1) for w, c in cpu.items()},
        "cpu_seconds_are": "the import process's user+sys time"
        + (" plus its PostgreSQL backend's" if "cpu_seconds_with_backend" in runs[0][GONGJIANG] else ""),
        "ratio_of_median_cpu_seconds": round(cpu[IMPORT_EXPORT] / cpu[GONGJIANG], 2),
        "load_1min_during_the_imports": {"min": round(min(loads), 2), "max": round(max(loads), 2)},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    out = ROOT / "benchmarks" / "results" / f"registration_import_baseline-{result['database']}.json"
    if args.rows != 100_000:
        out = out.with_name(out.stem + f"-{args.rows}rows.json")
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    summary = (
        "rows",
        "median_import_seconds",
        "median_peak_rss_mib",
        "ratio_import_export_seconds_to_gongjiang_seconds",
        "median_of_the_runs_ratios",
        "median_cpu_seconds",
        "ratio_of_median_cpu_seconds",
        "load_1min_during_the_imports",
    )
    print(json.dumps({k: result[k] for k in summary}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
