"""The analyst's tools as the README shows them: the UI, schedule and sensor commands on one
Dagster instance (from a fresh clone), `atp sql` output formats, and `make docs` (issue 12)."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.paths import REPO_ROOT

VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 10) -> bytes:
    return urllib.request.urlopen(url, timeout=timeout).read()


def _wait_for(url: str, process: subprocess.Popen, seconds: float) -> bytes:
    """The body of ``url`` once it answers (the process still running), else fail."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server stopped (exit {process.returncode})"
        try:
            return _get(url)
        except OSError:
            time.sleep(2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _serve(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start a server command in its own process group (stopped with :func:`_stop`)."""
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _stop(process: subprocess.Popen, under: Path | None = None, within: float = 60) -> list[str]:
    """Stop a server started by :func:`_serve` as a closed terminal does: SIGTERM to its process
    group, and once more a second later (a terminal, or an impatient user, repeats it; ``make``
    forwards it to its child as well). Wait up to ``within`` seconds for every process of the group,
    and every process that works or is named under the folder ``under`` (those the server started
    in a session of their own, as ``atp ui`` starts ``dagster dev``), to end; SIGKILL what is left
    then, so that no test leaves a server behind. Returns what was left: empty when all ended."""
    group, under = process.pid, under.resolve() if under else None
    os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + within
    repeat_at = time.monotonic() + 1
    while (left := _alive(group, under)) and time.monotonic() < deadline:
        if repeat_at and time.monotonic() >= repeat_at:
            repeat_at = 0
            try:
                os.killpg(group, signal.SIGTERM)
            except ProcessLookupError:
                pass
        process.poll()  # reap the leader, which is this process's child
        time.sleep(0.5)
    for _ in range(20):
        if not (stragglers := _alive(group, under)):
            break
        for line in stragglers:
            try:
                os.kill(int(line.split(" ", 1)[0]), signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.5)
    process.wait(timeout=30)
    return left


def _alive(group: int, under: Path | None) -> list[str]:
    """The live processes (``pid command``) of the process group ``group`` and, when ``under`` is
    given, those working in that folder and the Dagster ones whose command line names it (this
    process excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            state, _, pgid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            cwd = os.readlink(entry / "cwd")
        except OSError:  # it ended meanwhile
            continue
        if state == "Z":  # ended, not reaped yet
            continue
        inside = under is not None and (
            f"{cwd}/".startswith(f"{under}/") or (str(under) in command and "dagster" in command)
        )
        if int(pgid) == group or inside:
            found.append(f"{entry.name} {command[:300]}")
    return found


def readme_commands(section: str) -> list[str]:
    """The commands of the first code block under the README heading ``section`` (comments cut)."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(f"## {section}\n", 1)[1].split("```\n", 2)[1]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()]


@pytest.fixture()
def fresh_clone(tmp_path: Path) -> dict[str, Path]:
    """A clone of this repository (what CI and a new user start from) that uses this process's
    virtualenv and its own code (PYTHONPATH), with HOME in an empty folder."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(clone)], check=True)
    (clone / ".venv").symlink_to(VENV_BIN.parent)
    os.utime(clone / "pyproject.toml", (0, 0))  # the shared virtualenv is up to date: no reinstall
    home = tmp_path / "home"
    home.mkdir()
    return {"clone": clone, "home": home}


def test_the_readme_ui_schedule_and_sensor_commands_share_one_instance_and_write_nothing_under_home(
    fresh_clone: dict[str, Path],
) -> None:
    clone, home = fresh_clone["clone"], fresh_clone["home"]
    commands = readme_commands("Opening the Dagster UI")
    assert commands == ["make ui", ".venv/bin/atp schedule on", ".venv/bin/atp sensor on"]
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "ATP_"))}
    env |= {"HOME": str(home), "PYTHONPATH": str(clone), "UI_PORT": str(port)}
    ui = _serve(commands[0].split(), clone, env)
    try:
        _wait_for(f"http://127.0.0.1:{port}/server_info", ui, 300)
        for command in commands[1:]:
            done = subprocess.run(command.split(), cwd=clone, env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stdout + done.stderr
            assert f"in the instance at {clone / 'warehouse' / 'dagster_home'}" in done.stdout
        # the UI (dagster dev) sees both switched on: the same instance
        query = (
            "{ instance { info } schedulesOrError(repositorySelector: {repositoryLocationName: "
            '"atp_warehouse", repositoryName: "__repository__"}) { ... on Schedules { results { name '
            "scheduleState { status } } } } }"
        )
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=json.dumps({"query": query}).encode(),
            headers={"Content-Type": "application/json"},
        )
        answer = json.loads(urllib.request.urlopen(request, timeout=30).read())["data"]
        assert str(clone / "warehouse" / "dagster_home") in answer["instance"]["info"]
        assert answer["schedulesOrError"]["results"] == [
            {"name": "annual_census_refresh", "scheduleState": {"status": "RUNNING"}}
        ]
        sensors = subprocess.run(
            [str(VENV_BIN / "dagster"), "sensor", "list", "-w", "workspace.yaml"],
            cwd=clone,
            env=env | {"DAGSTER_HOME": str(clone / "warehouse" / "dagster_home")},
            capture_output=True,
            text=True,
        )
        assert re.search(r"census_release_sensor\s*\[RUNNING\]", sensors.stdout), sensors.stdout + sensors.stderr
    finally:
        left = _stop(ui, under=clone)
    # make, atp ui and dagster dev with everything it started (its own process group) all ended
    assert left == [], "still running 60 s after SIGTERM:\n" + "\n".join(left)
    assert (clone / "warehouse" / "dagster_home" / "schedules").is_dir()
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == []  # nothing under ~


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file with one table the way the marts hold values: codes as text, USD as DECIMAL."""
    path = tmp_path_factory.mktemp("sql") / "atp.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table fct_codes as select * from (values "
            "(2008, '0101210000', '5700', cast(1234567.89 as decimal(18, 2)), 'Horses, \"purebred\"'), "
            "(2008, '8542310000', '0007', cast(1 as decimal(18, 2)), null)) "
            "t(year, hs10_code, cty_code, value_usd, description)"
        )
    return path


def atp_sql(warehouse: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "atp"), "sql", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "ATP_DUCKDB_PATH": str(warehouse)},
        timeout=120,
    )


QUERY = "select * from fct_codes order by hs10_code"


def test_atp_sql_csv_round_trips_through_pandas_with_codes_as_text(small_warehouse: Path) -> None:
    done = atp_sql(small_warehouse, QUERY, "--format", "csv")
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(io.StringIO(done.stdout), dtype={"hs10_code": str, "cty_code": str, "value_usd": str})
    assert frame["hs10_code"].tolist() == ["0101210000", "8542310000"]
    assert frame["cty_code"].tolist() == ["5700", "0007"]
    assert [Decimal(v) for v in frame["value_usd"]] == [Decimal("1234567.89"), Decimal("1.00")]
    assert frame["description"].tolist()[0] == 'Horses, "purebred"' and pd.isna(frame["description"][1])


def test_atp_sql_json_markdown_a_file_stdin_and_an_output_file(small_warehouse: Path, tmp_path: Path) -> None:
    done = atp_sql(small_warehouse, QUERY, "--format", "json")
    rows = json.loads(done.stdout, parse_float=Decimal)
    assert rows[0]["hs10_code"] == "0101210000" and rows[0]["value_usd"] == Decimal("1234567.89")
    assert rows[1]["description"] is None
    markdown = atp_sql(small_warehouse, QUERY, "--format", "markdown").stdout.splitlines()
    assert markdown[0].startswith("| year") and markdown[1].startswith("|---") and "0101210000" in markdown[2]
    query_file = tmp_path / "q.sql"
    query_file.write_text(QUERY + ";\n")
    output = tmp_path / "out.csv"
    done = atp_sql(small_warehouse, "--file", str(query_file), "--format", "csv", "--output", str(output))
    assert done.returncode == 0 and done.stdout == "" and f"wrote {output}" in done.stderr
    assert output.read_text().splitlines()[1].startswith("2008,0101210000,5700,1234567.89,")
    piped = atp_sql(small_warehouse, "--format", "csv", stdin=QUERY)
    assert piped.stdout == output.read_text()
    bad = atp_sql(small_warehouse, "select * from nowhere")
    assert bad.returncode == 1 and bad.stderr.startswith("SQL error: Catalog Error")


def test_make_docs_serves_the_index_page_and_the_manifest(tmp_path: Path, dbt_manifest: Path) -> None:
    port = _free_port()
    env = {**os.environ, "DOCS_PORT": str(port), "ATP_DUCKDB_PATH": str(tmp_path / "atp.duckdb")}
    docs = _serve(["make", "docs"], REPO_ROOT, env)
    try:
        index = _wait_for(f"http://127.0.0.1:{port}/index.html", docs, 300).decode()
        manifest = json.loads(_get(f"http://127.0.0.1:{port}/manifest.json", timeout=30))
    finally:
        _stop(docs)
    assert "<title>dbt Docs</title>" in index
    names = {node["name"] for node in manifest["nodes"].values()}
    assert {"fct_atp_exports", "fct_specialization_gaps", "stg_census__export_history"} <= names
    assert any(n["resource_type"] == "test" for n in manifest["nodes"].values())  # tests are documented


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--years", "1990"], f"--years: 1990 is not in {REPO_ROOT / 'warehouse' / 'sample'} (it holds 2000-2023)"),
        (["--years", "2023-2024"], f"--years: 2024 is not in {REPO_ROOT / 'warehouse' / 'sample'} (it holds 2000-"),
        (["--source", "local", "--local-dir", "/nonexistent"], "--local-dir: /nonexistent does not exist"),
        (["--years", "2005,2007"], "--years: give one contiguous range of years for a single run"),
        (["--source", "ftp"], "--source: choose one of sample, local, census"),
        (["--source", "census"], "--years: the census source needs the years to download, e.g. --years 2021-2023"),
        (["--max-unlinked-value-share", "2"], "--max-unlinked-value-share: give a share between 0 and 1, e.g. 0.05"),
        (["--set", "nosuch=1"], "--set: 'nosuch=1': expected KEY=VALUE with KEY one of landing_dir, api_base_url"),
    ],
)
def test_an_unknown_year_source_or_setting_is_one_line_saying_what_is_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], line: str
) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app

    monkeypatch.setenv("ATP_DUCKDB_PATH", str(tmp_path / "atp.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    result = CliRunner().invoke(app, ["refresh", *args])
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(line), result.stderr
    assert not (tmp_path / "atp.duckdb").exists()  # nothing ran


def test_missing_input_files_are_listed_once_before_anything_runs(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app
    from tests.tiny_input import write_tiny_input

    tiny = write_tiny_input(tmp_path / "input")
    (tiny / "2011" / "COUNTRY.TXT").unlink()
    (tiny / "2011" / "EXP_HIST.TXT").unlink()
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(tmp_path / "atp.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    started = time.monotonic()
    result = CliRunner().invoke(app, ["refresh", "--source", "local", "--local-dir", str(tiny)])
    assert result.exit_code == 1 and result.stdout == ""
    assert time.monotonic() - started < 20
    assert result.stderr.splitlines() == [
        f"{tiny} lacks 2 required file(s) or has a conflict:",
        "  2011/EXP_HIST.TXT (EM545/EA645 fixed width, record length 120) or 2011/api/exports_hs_df1_*.json / "
        "2011/api/exports_hs_df2_*.json (Census API exports/hs tables)",
        "  2011/COUNTRY.TXT (COUNTRY.TXT, record length 51)",
    ]
    assert not (tmp_path / "atp.duckdb").exists()


def test_local_years_default_to_the_year_folders_of_the_input(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app
    from tests.tiny_input import write_tiny_input

    tiny = write_tiny_input(tmp_path / "input")
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(tmp_path / "atp.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    from orchestration.console.options import refresh_years

    assert refresh_years(None, "local", tiny) == [2010, 2011]  # what `--years` becomes when it is not given
    (tiny / "2013").mkdir()  # a gap: 2010, 2011, 2013
    result = CliRunner().invoke(app, ["refresh", "--source", "local", "--local-dir", str(tiny)])
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"--years: {tiny} holds the years 2010, 2011, 2013, not one range: give --years, e.g. --years 2013\n"
    )
