"""No way around the publish and no way out of the warehouse (issue 18): run config and options
never become SQL, ``atp sql`` cannot write or escape, every publish is whole, a killed run leaves
no process behind and no run STARTED forever, and bad inputs are named for what they are."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from orchestration.assets.dbt import DbtBuildConfig
from orchestration.cli import app
from orchestration.paths import REPO_ROOT
from orchestration.resources import FigureSettings, SourceResource, WarehouseResource
from tests.test_end_to_end import run_job
from tests.tiny_warehouse import candidates as run_candidates
from tests.tiny_warehouse import published_state

#: The value the reliability pass pasted into the Launchpad's memory_limit: it ran a COPY.
PAYLOAD = "512MB'; copy (select 'written by run config') to '{target}' (header false); select '1"


def _string_settings(cls) -> list[str]:
    return [name for name, field in cls.model_fields.items() if field.annotation is str]


@pytest.mark.parametrize("cls", [WarehouseResource, SourceResource, FigureSettings, DbtBuildConfig])
def test_every_string_setting_refuses_a_quote_and_semicolon_payload(cls, tmp_path: Path) -> None:
    """Each string setting of every resource and config class, given the payload, is refused
    when the resource is made (before any run step, any SQL), by an error that names it."""
    target = tmp_path / "written.txt"
    for name in _string_settings(cls):
        with pytest.raises(ValidationError) as refused:
            cls(**{name: PAYLOAD.format(target=target)})
        message = str(refused.value)
        assert f"{name}: " in message, (name, message)
        assert not target.exists()


def test_memory_limit_reaches_duckdb_as_a_setting(tmp_path: Path) -> None:
    warehouse = WarehouseResource(duckdb_path=str(tmp_path / "w.duckdb"), memory_limit="300MB")
    with warehouse.connect() as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert limit in ("286.1 MiB", "300.0 MB"), limit  # DuckDB shows 300MB in MiB


def test_a_step_that_fails_while_writing_closes_its_connection(tmp_path: Path) -> None:
    """A load that raises (a bad input file) leaves no read-write connection open while its error
    is still held: the run's next read-only connection to the file (an asset check) opens. Before,
    it failed with DuckDB's "different configuration" error, a second FAILED line beside the
    one naming the bad file."""
    warehouse = WarehouseResource(duckdb_path=str(tmp_path / "w.duckdb"))
    try:
        with warehouse.connect() as con:
            con.execute("create table t as select 1 as x")
            raise ValueError("2011/IMP_HIST.TXT, record 2, field record length")
    except ValueError as error:
        held = error  # the traceback keeps the step's frames (and its connection) alive
    assert held.__traceback__ is not None
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as reader:
        assert reader.execute("select x from t").fetchall() == [(1,)]


def _invoke(args: list[str], **env: str):
    return CliRunner().invoke(app, args, env=env or None)


@pytest.mark.parametrize(
    ("setting", "line"),
    [
        ("hs_codes_per_request=abc", "--set: hs_codes_per_request: 'abc' is not a whole number"),
        ("hs_codes_per_request=0", "--set: hs_codes_per_request: Input should be greater than 0"),
        ("timeout_seconds=soon", "--set: timeout_seconds: 'soon' is not a finite number"),
        ("timeout_seconds=inf", "--set: timeout_seconds: 'inf' is not a finite number"),
        ("country_trade_url=x';drop", "--set: country_trade_url: "),
        ("concordance_url_template=https://example.org/exp-code.txt", "--set: concordance_url_template: "),
        ("no_such_key=1", "--set: 'no_such_key=1': expected KEY=VALUE with KEY one of "),
    ],
)
def test_every_set_error_is_one_line_naming_the_setting(setting: str, line: str, tmp_path: Path) -> None:
    result = _invoke(["refresh", "--years", "2008", "--set", setting], ATP_DUCKDB_PATH=str(tmp_path / "w.duckdb"))
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith(line), result.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_a_log_level_that_is_not_one_is_one_line(tmp_path: Path) -> None:
    result = _invoke(["refresh", "--years", "2008", "--log-level", "foo"], ATP_DUCKDB_PATH=str(tmp_path / "w.duckdb"))
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        "--log-level: 'foo' is not a level; use one of debug, info, warning, error, critical"
    ), result.stderr
    assert not (tmp_path / "w.duckdb").exists()


# --- atp sql ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("copy (select 1) to '{target}'", "file system operations are disabled"),
        ("copy (select 1) to '{warehouse}'", "file system operations are disabled"),
        ("attach '{other}' as other", "disabled"),
        ("install httpfs", "disabled"),
        ("load httpfs", "disabled"),
        ("select * from read_text('/etc/passwd')", "file system operations are disabled"),
        ("select * from read_csv('/etc/hostname')", "file system operations are disabled"),
        ("set enable_external_access = true", "locked"),
        ("create table t as select 1", "read-only"),
    ],
)
def test_atp_sql_refuses_writes_and_files_in_one_line(tiny, query: str, words: str, tmp_path: Path) -> None:
    before = published_state(tiny["duckdb"], tiny["exports"])
    text = query.format(target=tmp_path / "x.csv", warehouse=tiny["duckdb"], other=tmp_path / "other.duckdb")
    result = _invoke(["sql", text])
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("SQL error: ") and words in result.stderr, result.stderr
    assert published_state(tiny["duckdb"], tiny["exports"]) == before
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_atp_sql_output_never_goes_inside_the_warehouse_folders(tiny, tmp_path: Path) -> None:
    before = published_state(tiny["duckdb"], tiny["exports"])
    candidates = tiny["duckdb"].parent / ".candidates"
    candidates.mkdir(exist_ok=True)
    for target in (tiny["duckdb"], tiny["duckdb"].parent / "new.csv", tiny["exports"] / "x.csv", candidates / "x"):
        result = _invoke(["sql", "--format", "csv", "--output", str(target), "select 1 as a"])
        assert result.exit_code == 2, (target, result.output)
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("--output: "), result.stderr
    assert published_state(tiny["duckdb"], tiny["exports"]) == before
    assert not (tiny["duckdb"].parent / "new.csv").exists()
    # elsewhere it is written, by the command, whole
    result = _invoke(["sql", "--format", "csv", "--output", str(tmp_path / "ok.csv"), "select '0007' as code"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ok.csv").read_text() == "code\n0007\n"


def test_atp_sql_json_and_csv_keep_every_digit(tiny) -> None:
    query = "select cast(1234567.891234 as decimal(18,6)) as usd_millions, '0101210000' as hs10_code, null as nothing"
    as_json = _invoke(["sql", "--format", "json", query])
    assert as_json.exit_code == 0, as_json.output
    assert as_json.stdout.strip() == '[{"usd_millions":1234567.891234,"hs10_code":"0101210000","nothing":null}]'
    as_csv = _invoke(["sql", "--format", "csv", query])
    assert as_csv.stdout == "usd_millions,hs10_code,nothing\n1234567.891234,0101210000,\n"


@pytest.mark.parametrize("damage", ["text", "truncated", "folder"])
def test_a_damaged_warehouse_file_is_one_line_naming_it_and_the_rebuild(tiny, damage: str) -> None:
    database = tiny["duckdb"]
    if damage == "text":
        database.write_text("not a database\n")
    elif damage == "truncated":
        data = database.read_bytes()
        database.write_bytes(data[: len(data) // 3])
    else:
        database.unlink()
        database.mkdir()
    for args in (["sql", "select 1"], ["summary"], ["figures"], ["refresh", "--years", "2011"]):
        result = _invoke(args)
        assert result.exit_code == 1, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(database) in lines[0] and "make run" in lines[0], (args, result.output)
        assert "Traceback" not in result.output


# --- a publish is whole or not at all ---------------------------------------------------------


def _set_read_only(folder: Path, read_only: bool) -> None:
    """A folder this process cannot (or can again) write, also as root: ``chattr +i`` makes it
    immutable, which refuses even root; other users get mode 0555."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if read_only else "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555 if read_only else 0o755)


@pytest.fixture()
def read_only():
    """Make folders read-only for the test (:func:`_set_read_only`); writable again at its end."""
    made: list[Path] = []

    def make(folder: Path) -> None:
        _set_read_only(folder, True)
        made.append(folder)

    yield make
    for folder in made:
        _set_read_only(folder, False)


def test_a_read_only_exports_folder_publishes_nothing_and_names_the_folder(tiny, read_only) -> None:
    before = published_state(tiny["duckdb"], tiny["exports"])
    read_only(tiny["exports"])
    result = _invoke(["refresh", "--source", "local", "--local-dir", str(tiny["input"]), "--years", "2011"])
    assert result.exit_code == 1, result.output
    # EACCES for a user without write permission, EPERM for an immutable folder (root)
    assert f"{tiny['exports']} cannot be written (" in result.stderr, result.stderr
    assert "Permission denied" in result.stderr or "Operation not permitted" in result.stderr, result.stderr
    assert "nothing was published" in result.stderr
    assert published_state(tiny["duckdb"], tiny["exports"]) == before  # nothing renamed
    _set_read_only(tiny["exports"], False)
    again = _invoke(["refresh", "--source", "local", "--local-dir", str(tiny["input"]), "--years", "2011"])
    assert again.exit_code == 0, again.output
    assert published_state(tiny["duckdb"], tiny["exports"]) != before


def test_a_read_only_warehouse_folder_is_named_before_anything_runs(tiny, read_only) -> None:
    before = published_state(tiny["duckdb"], tiny["exports"])
    folder = tiny["duckdb"].parent
    read_only(folder)
    result = _invoke(["refresh", "--source", "local", "--local-dir", str(tiny["input"]), "--years", "2011"])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("WARNING base year")]
    assert lines[0].startswith(f"{folder} cannot be written ("), result.stderr
    assert "Permission denied" in lines[0] or "Operation not permitted" in lines[0], result.stderr
    assert lines[1:] == ["Nothing was run: nothing was published, the warehouse and the figures are as they were."]
    assert "Traceback" not in result.output
    assert published_state(tiny["duckdb"], tiny["exports"]) == before
    _set_read_only(folder, False)
    again = _invoke(["refresh", "--source", "local", "--local-dir", str(tiny["input"]), "--years", "2011"])
    assert again.exit_code == 0, again.output


def test_a_figures_run_checks_the_exports_folder_before_it_draws(tiny, read_only) -> None:
    before = published_state(tiny["duckdb"], tiny["exports"])
    read_only(tiny["exports"])
    result = _invoke(["figures", "--partner", "5880"])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"{tiny['exports']} cannot be written ("), result.stderr
    assert "nothing was published" in result.stderr
    assert not run_candidates(tiny["duckdb"]), "no figure is drawn when it cannot be published"
    assert published_state(tiny["duckdb"], tiny["exports"]) == before


def test_pending_figures_of_a_cut_publish_are_published_by_a_figures_run(tiny, monkeypatch: pytest.MonkeyPatch) -> None:
    """A publish killed after the warehouse rename and one figure file (the rest pending): the
    next `atp figures` finishes it first, so the pending figures are published, not deleted."""
    from orchestration import candidate as run_candidate
    from orchestration import publish

    monkeypatch.setattr(run_candidate, "publish", lambda candidate, database, exports: [])  # the run leaves it
    assert run_job(2010, 2011).success
    monkeypatch.setattr(run_candidate, "publish", publish.publish)
    candidate = next(p for p in (tiny["duckdb"].parent / ".candidates").iterdir() if p.is_dir())
    pending = sorted(p.name for p in (candidate / "exports").iterdir())
    real_replace = os.replace
    renames: list[str] = []

    def killed_after_two(source, target):  # the warehouse and one figure file, then the process dies
        if len(renames) == 2:
            raise SystemExit("killed")
        renames.append(str(target))
        real_replace(source, target)

    monkeypatch.setattr(publish.os, "replace", killed_after_two)
    with pytest.raises(SystemExit):
        publish.publish(candidate, tiny["duckdb"], tiny["exports"])
    monkeypatch.setattr(publish.os, "replace", real_replace)
    with duckdb.connect(str(tiny["duckdb"]), read_only=True) as con:
        new_build = con.execute("select build_id from meta.builds order by built_at desc limit 1").fetchone()[0]
    assert new_build == candidate.name  # the cut publish's warehouse is the published one
    figures = _invoke(["figures", "--partner", "5880"])
    assert figures.exit_code == 0, figures.output
    for name in pending:  # published, not deleted
        assert (tiny["exports"] / name).exists(), name
    assert not candidate.exists()
    summary = _invoke(["summary"])
    assert "drawn from another build" not in summary.stdout, summary.stdout


def test_a_figure_drawn_from_another_build_is_named_stale(tiny) -> None:
    """Every figure carries the fingerprint of the warehouse it was drawn from (CSV column and
    Parquet metadata `warehouse_build`); after a rebuild with other settings the figures of
    another partner are listed as stale by `atp summary`."""
    assert _invoke(["figures", "--partner", "5880"]).exit_code == 0
    import csv

    japan = next(tiny["exports"].glob("figure_1_atp_exports_5880_japan.csv"))
    with japan.open() as handle:
        builds = {row["warehouse_build"] for row in csv.DictReader(handle)}
    assert len(builds) == 1 and len(builds.pop()) == 64
    result = _invoke(
        ["refresh", "--source", "local", "--local-dir", str(tiny["input"]), "--years", "2011", "--base-year", "2010"]
    )
    assert result.exit_code == 0, result.output
    assert "were drawn from another build of the warehouse" in result.stdout
    assert "figure_1_atp_exports_5880_japan" in result.stdout


# --- no orphans ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_kill_9_during_dbt_build_ends_dbt_too_and_the_next_run_marks_the_run_failed(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ATP_DUCKDB_PATH": str(tmp_path / "atp.duckdb"),
        "ATP_EXPORTS_DIR": str(tmp_path / "exports"),
        "DAGSTER_HOME": str(tmp_path / "home"),
    }
    atp = str(Path(sys.executable).parent / "atp")
    run = subprocess.Popen(
        [atp, "refresh", "--years", "2007-2008"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO_ROOT,
    )
    dbt = None
    deadline = time.monotonic() + 300
    while dbt is None and time.monotonic() < deadline:
        listed = subprocess.run(
            ["ps", "-eww", "-o", "pid,ppid,args"], capture_output=True, text=True
        ).stdout.splitlines()
        dbt = next((int(line.split()[0]) for line in listed if "dbt build" in line and str(tmp_path) in line), None)
        time.sleep(0.3)
    assert dbt is not None, "dbt build did not start"
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    time.sleep(2)
    alive = subprocess.run(["ps", "-p", str(dbt)], capture_output=True).returncode == 0
    assert not alive, "dbt kept running after its parent was killed"
    again = subprocess.run([atp, "refresh", "--years", "2008"], env=env, capture_output=True, text=True, cwd=REPO_ROOT)
    assert again.returncode == 0, again.stdout + again.stderr
    from dagster import DagsterInstance, DagsterRunStatus

    with DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        statuses = [run.status for run in instance.get_runs()]
    assert statuses == [DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE], statuses


# --- inputs named for what they are ----------------------------------------------------------


def test_an_input_that_is_a_folder_or_a_link_loop_is_named_as_such(tiny) -> None:
    history = tiny["input"] / "2011" / "EXP_HIST.TXT"
    history.unlink()
    history.mkdir()
    result = _invoke(["refresh", "--source", "local", "--local-dir", str(tiny["input"]), "--years", "2011"])
    assert result.exit_code == 1 and f"{history} is a folder, not a file" in result.stderr, result.output
    history.rmdir()
    (tiny["input"] / "2011" / "loop").symlink_to(tiny["input"] / "2011" / "EXP_HIST.TXT")
    history.symlink_to(tiny["input"] / "2011" / "loop")
    result = _invoke(["refresh", "--source", "local", "--local-dir", str(tiny["input"]), "--years", "2011"])
    assert result.exit_code == 1 and "symbolic link that leads nowhere" in result.stderr, result.output


@pytest.mark.parametrize(
    ("with_database", "done"), [(True, "the warehouse "), (False, "some figures of a figures-only")]
)
def test_a_cut_publish_says_whether_it_had_a_warehouse_to_publish(
    with_database: bool, done: str, tmp_path: Path
) -> None:
    from orchestration.console.summary import unfinished_publish
    from orchestration.publish import CANDIDATE_EXPORTS, _mark

    candidate = tmp_path / ".candidates" / "run-1"
    (candidate / CANDIDATE_EXPORTS).mkdir(parents=True)
    (candidate / CANDIDATE_EXPORTS / "figure_1.png").write_bytes(b"")
    _mark(candidate, with_database)  # the database (if any) was renamed, one figure waits
    line = unfinished_publish("run-1", candidate, tmp_path / "atp.duckdb", None)
    assert f"published so far: {done}" in line and "1 figure files wait" in line, line
