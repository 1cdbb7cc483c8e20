"""The `gongjiang` command as a user runs it, on its own SQLite data dir: the demo is built once
in a process of its own; the other commands run in one process kept for the module
(`tests/cli_host.py`), through click's runner, except where a process is the point."""

from __future__ import annotations

import json
import os
import re
import select
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from gongjiang.core import clock
from gongjiang.directory.models import Organisation
from tests.conftest import RAW_REFDATA

ROOT = Path(__file__).resolve().parents[1]


def command_env() -> dict[str, str]:
    """The environment a user's shell gives the command: no test settings, no database URL."""
    hidden = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "GONGJIANG_LAUNCHER", "GONGJIANG_DATA_DIR")
    return {k: v for k, v in os.environ.items() if k not in hidden}


def run_process(*args: str, data_dir: Path, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    """`gongjiang ARGS --data-dir DATA_DIR` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "gongjiang.cli", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=command_env(),
        check=False,
    )


class CommandHost:
    """Commands on one data directory, run one after another in one process (`tests.cli_host`)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.cli_host"],
            cwd=ROOT,
            env=command_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, *args: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps([*args, "--data-dir", str(self.data_dir)]) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise subprocess.TimeoutExpired(["gongjiang", *args], timeout)
        answer = self.process.stdout.readline()
        assert answer, f"the command host ended (exit {self.process.wait()})"
        found = json.loads(answer)
        return subprocess.CompletedProcess(["gongjiang", *args], found["returncode"], found["stdout"], found["stderr"])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo")
    # A generous bound: on a loaded machine the build takes minutes (a hang still fails).
    result = run_process(
        "demo", "--no-serve", "--scale", "small", "--password", "cli-pass-1", data_dir=data_dir, timeout=900
    )
    assert result.returncode == 0, result.stderr
    for persona in ("bureau", "school", "school2", "enterprise", "student"):
        assert f"  {persona} " in result.stdout
    assert "cli-pass-1" in result.stdout
    assert "名学生" in result.stdout
    # It talks like a product: its steps numbered and timed, no tokeniser chatter, and after
    # --no-serve the command that starts the site on what it built.
    assert "Prefix dict" not in result.stderr and "Building prefix dict" not in result.stderr
    assert re.search(r"\[3/6 \d\d:\d\d\] 生成演示地区 · ", result.stderr)
    assert re.search(r"演示数据库已构建，用时 \d\d:\d\d", result.stderr)
    assert f"启动网站：gongjiang serve --data-dir {data_dir}" in result.stdout
    return data_dir


@pytest.fixture(scope="module")
def cli(demo_dir: Path) -> Iterator[CommandHost]:
    """`gongjiang ARGS --data-dir DEMO_DIR`, run in the module's command process."""
    host = CommandHost(demo_dir)
    yield host
    host.close()


def test_demo_builds_a_region_and_orgs_lists_it(cli: CommandHost) -> None:
    result = cli("orgs", "--json")
    assert result.returncode == 0, result.stderr
    orgs = json.loads(result.stdout)
    kinds = {o["kind"] for o in orgs}
    assert kinds == {"bureau", "school", "enterprise", "evaluator"}
    schools = [o for o in orgs if o["kind"] == "school"]
    assert len(schools) == 12
    assert {o["tier"] for o in schools} == {"technician_college", "senior_school", "technical_school"}
    assert set(orgs[0]) == {"code", "kind", "name", "region", "tier"}
    only_bureaus = json.loads(cli("orgs", "--kind", "bureau", "--json").stdout)
    assert {o["kind"] for o in only_bureaus} == {"bureau"}


def test_demo_is_deterministic(cli: CommandHost, db: None) -> None:
    """The same seed makes the same region: the demo built by the command on SQLite, in its own
    process, holds the organisations the tests' world holds, built with the same seed on the test
    database in this process (another process, so another hash seed)."""
    demo = json.loads(cli("orgs", "--json").stdout)
    world = {(o.code, o.kind, o.name, o.region_code, o.tier or None) for o in Organisation.objects.all()}
    assert len(demo) == len(world) > 40
    assert {(o["code"], o["kind"], o["name"], o["region"], o["tier"]) for o in demo} == world


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(demo_dir: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gongjiang.cli", "serve", "--data-dir", str(demo_dir), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_answers_health_pages_and_the_api(served: str) -> None:
    health = json.load(urllib.request.urlopen(f"{served}/healthz"))
    assert health == {"status": "ok", "database": "writable", "vendor": "sqlite"}
    assert "技工教育与产教融合开放平台" in urllib.request.urlopen(f"{served}/").read().decode()
    schemes = json.load(urllib.request.urlopen(f"{served}/api/v1/refdata/schemes"))
    assert any(s["scheme"] == "occupation" and s["demo_subset"] for s in schemes)
    docs = urllib.request.urlopen(f"{served}/api/v1/docs").read().decode()
    assert "openapi.json" in docs


def test_refdata_search_command(cli: CommandHost) -> None:
    result = cli("refdata", "search", "occupation", "ylhly", "--json")
    assert json.loads(result.stdout)[0]["name"] == "养老护理员"
    bad = cli("refdata", "search", "planets", "x")
    assert bad.returncode != 0 and "未知代码表" in bad.stderr


def test_refdata_load_reports_a_bad_file_by_line_and_changes_nothing(cli: CommandHost, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "mca_2030.txt").write_text("150000 内蒙古自治区\n这一行没有代码\n", encoding="utf-8")
    before = cli("refdata", "search", "region", "内蒙古", "--json").stdout
    result = cli("refdata", "load", str(bad))
    assert result.returncode == 1
    assert "未作任何修改" in result.stderr
    assert "mca_2030.txt 第2行" in result.stderr
    assert cli("refdata", "search", "region", "内蒙古", "--json").stdout == before


def test_jieba_dictionary_command(cli: CommandHost, tmp_path: Path) -> None:
    out = tmp_path / "user.dict"
    assert cli("refdata", "jieba-dict", "--out", str(out)).returncode == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "养老护理员 20000 occ" in lines


@pytest.mark.slow
def test_refdata_load_of_the_raw_tables_from_the_command_line(cli: CommandHost) -> None:
    if not RAW_REFDATA.is_dir():
        pytest.skip("the shared reference tables are missing")
    result = cli("refdata", "load", str(RAW_REFDATA), timeout=600)
    assert result.returncode == 0, result.stderr
    assert "MCA-2024" in result.stdout and "3213" in result.stdout
    assert "jobtitle_testcases.csv" in result.stderr


def test_demo_region_has_a_living_register(cli: CommandHost, tmp_path: Path) -> None:
    """The generated students are in the register: a school's export holds them and imports back
    unchanged."""
    orgs = json.loads(cli("orgs", "--kind", "school", "--json").stdout)
    out = tmp_path / "school.xlsx"
    exported = cli("export", "registrations", "--school", orgs[0]["code"], "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    report = cli("import", "registrations", str(out), "--school", orgs[0]["code"], "--json")
    counts = json.loads(report.stdout)
    assert counts["errors"] == [] and counts["created"] == 0 and counts["unchanged"] > 50


def test_an_import_killed_half_way_leaves_the_register_as_it_was(
    cli: CommandHost, demo_dir: Path, tmp_path: Path
) -> None:
    """SIGKILL while rows are being written: nothing of the file is in the register; run again,
    it completes."""
    import csv
    import signal
    import sqlite3

    from openpyxl import load_workbook

    from gongjiang.core.validators import resident_id_check_digit

    school = json.loads(cli("orgs", "--kind", "school", "--json").stdout)[0]["code"]
    template = tmp_path / "current.xlsx"
    assert cli("export", "registrations", "--school", school, "--out", str(template)).returncode == 0
    sheet = load_workbook(template).active
    assert sheet is not None
    header, first, *_rest = list(sheet.values)
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number in range(6000):
            row = list(first)
            # Born in the 1950s: no one the demo generates, so no number clashes with a person in it.
            first17 = f"150203{1950 + number % 3}0{1 + number % 9}1{number % 10}{number % 1000:03d}"
            row[1] = first17 + resident_id_check_digit(first17)
            row[4] = f"压测{number // 40}班"
            row[9:11] = ["", ""]  # sex and birth date follow from the new number
            writer.writerow(["" if cell is None else cell for cell in row])
    database = demo_dir / "gongjiang.sqlite3"

    def count() -> int:
        with sqlite3.connect(database) as connection:
            return int(connection.execute("select count(*) from registry_registration").fetchone()[0])

    before = count()
    wal = Path(f"{database}-wal")
    baseline = wal.stat().st_size if wal.exists() else 0
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gongjiang.cli", "import", "registrations", str(big), "--school", school,
         "--data-dir", str(demo_dir)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > baseline + 256 * 1024:  # rows are being written
            break
        time.sleep(0.02)
    assert process.poll() is None, "the import finished before it could be killed; make the file bigger"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert count() == before
    finished = cli("import", "registrations", str(big), "--school", school, "--json", timeout=600)
    assert json.loads(finished.stdout)["created"] == 6000
    assert count() == before + 6000


def test_forecast_command(cli: CommandHost) -> None:
    """The demo records three years of earlier postings, so demand has a history: the scope's
    total is forecast with intervals and back-tested beside the naive forecasts, and each
    occupation class either forecast or said to be too sparse."""
    result = cli("forecast", "--scope", "region:150000", "--json")
    assert result.returncode == 0, result.stderr
    series = [json.loads(line) for line in result.stdout.splitlines()]
    total = series[0]
    assert total["key"] == "" and total["status"] == "ok" and len(total["months"]) >= 34
    assert len(total["mean"]) == 12 and total["total_lower"]["80"] <= total["total"] <= total["total_upper"]["80"]
    backtest = total["backtest"]
    assert backtest["points"] == 12 and backtest["mape"] is not None and backtest["mape_naive"] is not None
    assert backtest["interval_scale"] >= 1
    assert all(s["status"] in {"ok", "sparse", "short"} for s in series[1:]) and len(series) > 5
    assert all(s["key"].endswith("-00-00") for s in series[1:] if s["key"] != "?")
    # Destinations of earlier years turn demand into expected graduate hires, with their interval.
    hiring = [s for s in series[1:] if s["hires"] is not None]
    assert hiring and all(s["hires_lower"] <= s["hires"] <= s["hires_upper"] for s in hiring)
    assert all(abs(s["hires"] - s["total"] * s["hire_share"]) < 1e-6 for s in hiring)
    table = cli("forecast", "--scope", "region:150000", "--by", "region")
    assert table.returncode == 0 and "合计" in table.stdout and "回测 MAPE" in table.stdout
    school = cli("forecast", "--scope", "school:X")
    assert school.returncode != 0 and "需求预测按地区计算" in school.stderr


def test_import_postings_archive_command(cli: CommandHost, tmp_path: Path) -> None:
    """A bureau's file of earlier postings: a bad row refuses the file with the row and column named
    (and a copy with an error column); the corrected file records its rows, once."""
    import random

    from gongjiang.demo.generator import make_uscc

    uscc = make_uscc(random.Random(5), "150203", "91")
    header = "统一社会信用代码,单位名称,岗位名称,工作地区,招聘人数,薪资,发布日期,截止日期\n"
    good = f"{uscc},包头市草原重工有限公司,数控车工,150203,4,5000-7000,2023-03-01,2023-03-31\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + good + f"{uscc},,电焊工,150203,2,9000-5000,2023-04-01,2023-04-30\n", encoding="utf-8")
    refused = cli("import", "postings-archive", str(bad), "--errors-out", str(tmp_path / "e.xlsx"))
    assert refused.returncode == 1 and "第3行【薪资】月薪上限不能低于下限" in refused.stderr
    assert (tmp_path / "e.xlsx").exists()
    fixed = tmp_path / "good.csv"
    fixed.write_text(header + good, encoding="utf-8")
    first = cli("import", "postings-archive", str(fixed), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) | {"errors": []} == {
        "rows": 1, "created": 1, "updated": 0, "unchanged": 0, "errors": [], "organisations": 1, "new_classes": [],
    }  # fmt: skip
    again = cli("import", "postings-archive", str(fixed))
    assert again.returncode == 0 and "新增 0" in again.stdout and "未变 1" in again.stdout


def test_indicators_command(cli: CommandHost) -> None:
    """The demo leaves a snapshot; the catalogue is printed for a scope and a year, as a table or
    as JSON lines with numerator, denominator, scope and year; the engines agree."""
    result = cli("indicators", "--year", "2025", "--scope", "region:150000", "--json")
    assert result.returncode == 0, result.stderr
    values = [json.loads(line) for line in result.stdout.splitlines()]
    by_code = {v["code"]: v for v in values}
    assert len(by_code) >= 30 and all(v["scope"] == "region:150000" and v["year"] == 2025 for v in values)
    rate = by_code["employment_rate"]
    assert rate["value"] == round(rate["numerator"] / rate["denominator"] * 100, 6)
    live = cli("indicators", "--year", "2025", "--engine", "db", "--code", "employment_rate", "--json")
    assert (
        json.loads(live.stdout)["value"]
        == json.loads(cli("indicators", "--year", "2025", "--code", "employment_rate", "--json").stdout)["value"]
    )
    table = cli("indicators", "--year", "2025", "--code", "graduates", "--by", "tier")
    assert table.returncode == 0 and "毕业生人数" in table.stdout
    nowhere = cli("indicators", "--scope", "region:159999", "--code", "graduates", "--json")
    assert nowhere.returncode != 0 and "没有行政区划 159999" in nowhere.stderr
    bad = cli("indicators", "--scope", "city:1")
    assert bad.returncode != 0 and "region:地区代码" in bad.stderr
    unknown = cli("indicators", "--code", "nope")
    assert unknown.returncode != 0 and "指标目录中没有 nope" in unknown.stderr
    catalogue = cli("indicators", "--catalogue")
    assert catalogue.stdout.startswith("# 指标目录")


def test_quality_command(cli: CommandHost) -> None:
    result = cli("quality", "--year", "2025", "--json")
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert all({"rule", "severity", "school", "year", "left", "right", "fix"} <= set(v) for v in found)
    # Errors (an uninsured internship, a fee) fail the command, as a batch job should.
    assert result.returncode == (1 if any(v["severity"] == "error" for v in found) else 0)


def test_report_command(cli: CommandHost, tmp_path: Path) -> None:
    """The annual report as a Word file, as the page gives it; its summary on stderr."""
    from docx import Document

    out = tmp_path / "报告.docx"
    result = cli("report", "--scope", "region:150200", "--year", "2025", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "包头市技工教育质量年度报告（2025 年）" in result.stdout and "与上年相比" in result.stderr
    paragraphs = [p.text for p in Document(str(out)).paragraphs]
    assert paragraphs[0] == "包头市技工教育质量年度报告（2025 年）" and "概要" in paragraphs
    # The demo's targets are judged in it: the city's own and the province's do not mix.
    assert any("市级目标" in text for text in paragraphs)
    nowhere = cli("report", "--scope", "region:159999", "--out", str(tmp_path / "x.docx"))
    assert nowhere.returncode != 0 and "没有行政区划 159999" in nowhere.stderr


def _indicator_rows(cli: CommandHost, *args: str) -> dict[tuple[str, int, str], dict[str, object]]:
    result = cli("indicators", "--json", *args, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = {}
    for line in result.stdout.splitlines():
        row = json.loads(line)
        row.pop("engine")
        rows[(row["code"], row["year"], json.dumps(row["group"], sort_keys=True))] = row
    return rows


def test_db_engine_on_sqlite_gives_the_duckdb_values(cli: CommandHost, demo_dir: Path) -> None:
    """The whole catalogue on the live SQLite database, for every year the records cover, in
    total, by school within a city and by city: the same as from the DuckDB snapshot (the live
    engine's inlined facts overflowed SQLite's parser)."""
    from gongjiang.insight.catalogue import catalogue

    with sqlite3.connect(demo_dir / "gongjiang.sqlite3") as con:
        first = min(
            int(str(con.execute(query).fetchone()[0])[:4])
            for query in (
                "SELECT MIN(enrolled_on) FROM registry_registration",
                "SELECT MIN(published_at) FROM market_posting",
            )
        )
    years = [arg for year in range(first, clock.today().year + 1) for arg in ("--year", str(year))]
    assert len(years) >= 6, "the region covers several years"
    indicators = list(catalogue().values())
    by_school = [arg for i in indicators if "school" in i.disaggregations for arg in ("--code", i.code)]
    by_city = [arg for i in indicators if i.supports("city") for arg in ("--code", i.code)]
    asks = [
        years,
        ["--year", years[-3], "--scope", "region:150200", "--by", "school", *by_school],
        ["--year", years[-3], "--by", "city", *by_city],
    ]
    cli("indicators", "--refresh", "--code", indicators[0].code)
    for ask in asks:
        live = _indicator_rows(cli, "--engine", "db", *ask)
        snapshot = _indicator_rows(cli, "--engine", "duckdb", *ask)
        assert live == snapshot
        assert sum(row["status"] == "ok" for row in live.values()) >= len(indicators) // 2
    assert len(live) > len(indicators), "grouped by city, more than one row per indicator"


HEALTH_ON_SQLITE = """
import django, json
django.setup()
from django.db import connection
from django.test import RequestFactory
from gongjiang.portal.views import healthz

def ask():
    response = healthz(RequestFactory().get("/healthz"))
    return [response.status_code, json.loads(response.content)]

writable = ask()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA query_only = ON")
print(json.dumps([writable, ask()]))
"""


def test_healthz_on_sqlite_is_503_when_the_database_is_read_only(demo_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "gongjiang.config.settings", "GONGJIANG_DATA_DIR": str(demo_dir)}
    result = subprocess.run(
        [sys.executable, "-c", HEALTH_ON_SQLITE], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    writable, read_only = json.loads(result.stdout.splitlines()[-1])
    assert writable == [200, {"status": "ok", "database": "writable", "vendor": "sqlite"}]
    assert read_only[0] == 503 and read_only[1]["database"] == "read_only"


def test_pages_answer_while_another_connection_holds_the_write_lock(served: str, demo_dir: Path) -> None:
    """On SQLite a read takes no transaction, so it does not wait for a writer (every request ran
    in an IMMEDIATE transaction and waited up to 30 s behind any write)."""
    writer = sqlite3.connect(demo_dir / "gongjiang.sqlite3", isolation_level=None, timeout=1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE django_migrations SET app = app")
        home = urllib.request.urlopen(f"{served}/", timeout=10)
        assert home.status == 200 and "技工教育与产教融合开放平台" in home.read().decode()
        schemes = json.load(urllib.request.urlopen(f"{served}/api/v1/refdata/schemes", timeout=10))
        assert any(s["scheme"] == "occupation" for s in schemes)
        market = urllib.request.urlopen(f"{served}/market/", timeout=10)
        assert market.status == 200
    finally:
        writer.execute("ROLLBACK")
        writer.close()
