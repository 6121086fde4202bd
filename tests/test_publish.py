"""Write, audit, publish: a run builds a candidate copy of the warehouse and its figures, and only a
run whose every step and blocking check passed replaces the published ones (issue 11).

Every test works on the tiny hand-made input (tests/tiny_input.py) in its own temporary warehouse.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from orchestration.paths import REPO_ROOT
from orchestration.publish import CANDIDATES_DIR, FAILURE_REPORT
from tests.test_end_to_end import run_job
from tests.tiny_warehouse import candidates, marts_fingerprint, published_state, sha256


def test_a_good_run_publishes_and_leaves_no_candidate(tiny) -> None:
    import stat

    assert candidates(tiny["duckdb"]) == []
    assert not Path(f"{tiny['duckdb']}.wal").exists()
    umask = os.umask(0)
    os.umask(umask)
    for path in tiny["exports"].iterdir():  # published files others can read (not mkstemp's 0600)
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    with duckdb.connect(str(tiny["duckdb"]), read_only=True) as con:
        assert con.execute("select count(distinct year) from fct_atp_exports").fetchone() == (2,)
    assert len(list(tiny["exports"].glob("*.png"))) == 6


def test_a_run_failing_a_dbt_test_publishes_nothing_and_keeps_its_candidate(tiny) -> None:
    before = published_state(tiny["duckdb"], tiny["exports"])
    # the published 2011 world ATP total no longer agrees with the export history: the raw tables
    # load, every model builds, then the world-total dbt test fails
    trade = tiny["input"] / "country_trade" / "country_trade.csv"
    good = trade.read_text()
    trade.write_text(
        "\n".join(
            line.replace(",0.0065,0.0065", ",0.0075,0.0075") if line.startswith("2011,0007,") else line
            for line in good.split("\n")
        )
    )
    result = run_job(2010, 2011)
    assert not result.success
    assert published_state(tiny["duckdb"], tiny["exports"]) == before  # byte for byte
    (kept,) = candidates(tiny["duckdb"])
    assert kept.name == result.run_id
    report = (kept / FAILURE_REPORT).read_text()
    assert "nothing was published" in report and "atp_dbt_assets" in report
    # the candidate holds what the run built: the changed country table
    with duckdb.connect(str(kept / "atp.duckdb"), read_only=True) as con:
        assert con.execute(
            "select cast(eyr as varchar) from raw.country_trade where year = 2011 and cty_code = '0007'"
        ).fetchone() == ("0.007500",)
    # the bad year was never published, so a good run of another year (the bad 2011 row still in
    # the file) neither trips over it nor needs it; it publishes and removes the failed candidate
    assert run_job(2010, 2010).success
    assert candidates(tiny["duckdb"]) == []
    with duckdb.connect(str(tiny["duckdb"]), read_only=True) as con:
        assert con.execute(
            "select cast(eyr as varchar) from raw.country_trade where year = 2011 and cty_code = '0007'"
        ).fetchone() == ("0.006500",)


def test_a_figures_run_for_a_bad_partner_leaves_the_figures_as_they_were(tiny) -> None:
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.jobs import atp_figures_job
    from orchestration.run_config import figure_run_config
    from orchestration.tags import partition_range_tags

    before = published_state(tiny["duckdb"], tiny["exports"])
    result = defs.resolve_job_def(atp_figures_job.name).execute_in_process(
        instance=DagsterInstance.ephemeral(),
        run_config=figure_run_config("Atlantis"),
        tags=partition_range_tags(2010, 2011),
        raise_on_error=False,
    )
    assert not result.success
    assert published_state(tiny["duckdb"], tiny["exports"]) == before


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    from pathlib import Path
    con = duckdb.connect(sys.argv[1], read_only=True)
    count = "select count(*), sum(export_value_usd) from fct_atp_exports"
    print("before", con.execute(count).fetchone(), flush=True)
    while not Path(sys.argv[2]).exists():
        time.sleep(0.2)
    print("after", con.execute(count).fetchone(), flush=True)
    """
)


def test_a_read_only_reader_neither_blocks_a_run_nor_sees_a_mix(tiny, tmp_path: Path) -> None:
    # the reader holds the published file open, read-only, for the whole run
    go = tmp_path / "go"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(tiny["duckdb"]), str(go)], stdout=subprocess.PIPE, text=True
    )
    try:
        first = reader.stdout.readline()
        # 2010 + 2011 fact rows: 7 + 7, world ATP 6500 + 6500 USD (tests/tiny_input.py)
        assert first.strip() == "before (14, 13000)"
        # a revised 2010: Japan's electronics 2000 -> 2100 USD, the 0007 total 6500 -> 6600
        history = tiny["input"] / "2010" / "EXP_HIST.TXT"
        history.write_text(
            "".join(
                line.replace("000000002000", "000000002100") if line[2:16] == "85423100005880" else line
                for line in history.read_text().splitlines(keepends=True)
            ),
            newline="",
        )
        trade = tiny["input"] / "country_trade" / "country_trade.csv"
        trade.write_text(
            "\n".join(
                line.replace(",0.0065,0.0065", ",0.0066,0.0066") if line.startswith("2010,0007,") else line
                for line in trade.read_text().split("\n")
            )
        )
        assert run_job(2010, 2010).success  # the run is not blocked by the reader
        go.touch()
        second = reader.stdout.readline()
    finally:
        go.touch()
        reader.wait(timeout=60)
    assert second.strip() == "after (14, 13000)"  # the file it opened, whole: the old data
    with duckdb.connect(str(tiny["duckdb"]), read_only=True) as con:
        assert con.execute("select count(*), sum(export_value_usd) from fct_atp_exports").fetchone() == (14, 13100)
    assert candidates(tiny["duckdb"]) == []


# three full runs killed and rerun (about 2 minutes): run by `make corpus` with the bad-input corpus
@pytest.mark.slow
@pytest.mark.parametrize(
    ("marker", "years"),
    [
        ("raw.export_history 2010", "2010-2011"),  # during the raw loads
        ("Running dbt command", "2010-2011"),  # during dbt build
        ("figure_2_composition", "2010-2011"),  # during the figure export
        ("Running dbt command", "2011"),  # during a year-incremental dbt build (issue 21)
    ],
)
def test_kill_9_leaves_the_published_warehouse_and_a_rerun_equals_a_clean_build(
    tiny, tmp_path: Path, marker: str, years: str
) -> None:
    before = published_state(tiny["duckdb"], tiny["exports"])
    clean = marts_fingerprint(tiny["duckdb"])
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "home"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    (tmp_path / "home").mkdir()
    command = [
        str(Path(sys.executable).parent / "atp"),
        "refresh",
        "--source",
        "local",
        "--local-dir",
        str(tiny["input"]),
        "--years",
        years,
        "--verbose",
        "--log-level",
        "debug",
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            if marker in line:
                break
        else:
            pytest.fail(f"the run ended before {marker!r}: {''.join(seen[-20:])}")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    if years == "2011":  # the build killed was year-incremental
        assert any("dbt build: rebuilding 2011 (year-incremental models)" in line for line in seen), seen[-30:]
    assert published_state(tiny["duckdb"], tiny["exports"]) == before
    assert len(candidates(tiny["duckdb"])) == 1  # what the killed run left
    rerun = subprocess.run(command[:-3], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert marts_fingerprint(tiny["duckdb"]) == clean
    assert candidates(tiny["duckdb"]) == []
    assert not [p for p in tiny["exports"].iterdir() if p.name.startswith(".")]


HOLDER = textwrap.dedent(
    """
    import sys, time, duckdb
    from pathlib import Path
    con = duckdb.connect(sys.argv[1])  # read-write: DuckDB's exclusive file lock
    print("holding", flush=True)
    while not Path(sys.argv[2]).exists():
        time.sleep(0.2)
    """
)


def test_a_read_write_holder_makes_the_run_wait_then_fail_once_with_its_pid(tiny, tmp_path: Path) -> None:
    before = published_state(tiny["duckdb"], tiny["exports"])
    go = tmp_path / "go"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tiny["duckdb"]), str(go)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = run_job(2010, 2011, {"resources": {"warehouse": {"config": {"lock_timeout_seconds": 3}}}})
    finally:
        go.touch()
        holder.wait(timeout=60)
    assert not result.success

    def cause(error) -> str:
        while error.cause is not None:
            error = error.cause
        return error.message.strip()

    messages = {cause(event.step_failure_data.error) for event in result.all_events if event.is_step_failure}
    (message,) = messages  # one wait, one error: every writing step fails with it at once
    assert f"PID {holder.pid}" in message and "read-only" in message, message
    assert published_state(tiny["duckdb"], tiny["exports"]) == before


def test_an_implausible_record_fails_the_run_and_the_report_names_it(tiny) -> None:
    before = published_state(tiny["duckdb"], tiny["exports"])
    history = tiny["input"] / "2011" / "EXP_HIST.TXT"
    lines = history.read_text().splitlines(keepends=True)
    # record 4 (Canada, ICT, 1000 USD) keyed as 999,999,999,999 USD: value (61-72) and air value (109-120)
    lines[3] = lines[3][:60] + "999999999999" + lines[3][72:108] + "999999999999" + lines[3][120:]
    history.write_text("".join(lines), newline="")
    result = run_job(2010, 2011)
    assert not result.success
    assert published_state(tiny["duckdb"], tiny["exports"]) == before
    (kept,) = candidates(tiny["duckdb"])
    report = (kept / FAILURE_REPORT).read_text()
    assert "check assert_export_records_are_plausible" in report
    # the offending row, with its file and record number
    assert "source_file=2011/EXP_HIST.TXT, source_record=4" in report and "value_usd=999999999999" in report


def test_a_country_year_above_its_total_fails_the_run_and_names_its_first_record(tiny) -> None:
    """Rule 2 of the plausibility test: no record of China 2011 is above China's total exports
    (1.0 million USD in the tiny country table, plus the 0.5 million tolerance), but records 1
    and 2 keyed as 1,000,000 USD each make the country-year 1,000,000 + 1,000,000 + 400 (record
    3) = 2,000,400 USD over three records; the report names the first of them."""
    before = published_state(tiny["duckdb"], tiny["exports"])
    history = tiny["input"] / "2011" / "EXP_HIST.TXT"
    lines = history.read_text().splitlines(keepends=True)
    for i in (0, 1):  # records 1 and 2 (China 5700): value (61-72) and air value (109-120)
        lines[i] = lines[i][:60] + "000001000000" + lines[i][72:108] + "000001000000" + lines[i][120:]
    history.write_text("".join(lines), newline="")
    result = run_job(2010, 2011)
    assert not result.success
    assert published_state(tiny["duckdb"], tiny["exports"]) == before
    (kept,) = candidates(tiny["duckdb"])
    report = (kept / FAILURE_REPORT).read_text()
    assert "check assert_export_records_are_plausible" in report
    assert "above its total exports" in report and "cty_code=5700" in report
    assert "source_file=2011/EXP_HIST.TXT, source_record=1," in report
    assert "records=3" in report and "value_usd=2000400" in report
    assert "record above the total exports" not in report  # no record alone is over


def test_no_room_for_the_candidate_copy_says_so_and_leaves_the_published_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from orchestration import publish, resources

    published = tmp_path / "atp.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create table t as select 1 as a")
    before = sha256(published)

    def full_disk(source, target):
        Path(target).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish.shutil, "copyfile", full_disk)
    warehouse = resources.WarehouseResource(duckdb_path=str(published))
    warehouse._run_id = "run-1"
    try:
        with pytest.raises(RuntimeError, match=r"no space left on the disk of .* for the run's candidate copy"):
            warehouse.database_path()
    finally:
        warehouse._lock.release()
    assert sha256(published) == before
    assert not (tmp_path / CANDIDATES_DIR / "run-1" / "atp.duckdb").exists()  # no partial copy left


def test_a_build_with_no_loaded_year_fails_and_the_figures_refuse_empty_marts(tiny, tmp_path: Path) -> None:
    from orchestration import figures
    from orchestration.assets.dbt import dbt_build_args
    from orchestration.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

    database = tiny["duckdb"]
    with duckdb.connect(str(database)) as con:
        for (table,) in con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall():
            con.execute(f"delete from raw.{table}")
        # the year store histories (views over Parquet files): empty tables of the same columns
        for (view,) in con.execute("select view_name from duckdb_views() where schema_name = 'raw'").fetchall():
            con.execute(f"create table raw.{view}_empty as select * from raw.{view} limit 0")
            con.execute(f"drop view raw.{view}")
            con.execute(f"alter table raw.{view}_empty rename to {view}")
    # before: every dbt test passed on the empty marts
    completed = subprocess.run(
        [DBT_EXECUTABLE, *dbt_build_args(database), "--target-path", str(tmp_path / "target")],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert completed.returncode != 0
    assert "FAIL 1 assert_warehouse_holds_a_year" in completed.stdout
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from fct_atp_exports").fetchone() == (0,)
        with pytest.raises(figures.FigureOptionError, match="5700|China"):
            figures.resolve_figure_options(con, "5700")


def test_a_publish_cut_short_between_renames_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration import publish, resources

    published, exports = tmp_path / "atp.duckdb", tmp_path / "exports"
    exports.mkdir()
    for name, text in (("figure_1.png", "old 1"), ("figure_2.png", "old 2")):
        (exports / name).write_text(text)
    with duckdb.connect(str(published)) as con:
        con.execute("create table t as select 'old' as v")
    candidate = tmp_path / CANDIDATES_DIR / "run-1"
    (candidate / "exports").mkdir(parents=True)
    for name, text in (("figure_1.png", "new 1"), ("figure_2.png", "new 2")):
        (candidate / "exports" / name).write_text(text)
    with duckdb.connect(str(candidate / "atp.duckdb")) as con:
        con.execute("create table t as select 'new' as v")

    renames = []
    real_replace = os.replace

    def killed_after_two(source, target):  # the warehouse and the first figure, then the process dies
        if len(renames) == 2:
            raise SystemExit("killed")
        renames.append(target)
        real_replace(source, target)

    monkeypatch.setattr(publish.os, "replace", killed_after_two)
    with pytest.raises(SystemExit):
        publish.publish(candidate, published, exports)
    monkeypatch.setattr(publish.os, "replace", real_replace)
    # a mix: the new warehouse, one new figure, one old
    assert [(exports / n).read_text() for n in ("figure_1.png", "figure_2.png")] == ["new 1", "old 2"]
    # the next run, before it copies the warehouse, finishes the publish: the candidate had passed every check
    warehouse = resources.WarehouseResource(duckdb_path=str(published), exports_dir=str(exports))
    warehouse._run_id = "run-2"
    try:
        warehouse.database_path()
    finally:
        warehouse._lock.release()
    assert [(exports / n).read_text() for n in ("figure_1.png", "figure_2.png")] == ["new 1", "new 2"]
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select v from t").fetchall() == [("new",)]
    assert [p.name for p in (tmp_path / CANDIDATES_DIR).iterdir()] == ["run-2"]  # only the new run's own
