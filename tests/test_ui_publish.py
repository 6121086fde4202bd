"""The Dagster UI as a way in (issue 17): what a user's clicks launch, driven through the
webserver's GraphQL API with the calls the Materialize dialog and the run page make, against
``atp ui`` (``make ui``: ``dagster dev`` with the project's instance settings), its own instance
and warehouse files.

- *Materialize all* over 2006-2008 is one run that publishes once;
- a backfill of the ``census_raw`` group alone publishes nothing, says why on the run page, and
  the published marts stay the ones built from the published raw tables;
- a range whose dbt test fails publishes nothing (every published file byte for byte) and the
  run page names the test and the rows behind it;
- a re-execution of a failed run continues its candidate and publishes;
- the terminal of ``atp ui`` shows each run's steps, as ``atp refresh`` prints them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.jobs import atp_warehouse_job
from orchestration.tags import partition_range_tags
from tests.dagster_ui import (
    LAUNCH_RUN,
    LOCATION,
    REPO_ROOT,
    VENV_BIN,
    asset_keys,
    free_port,
    graphql,
    launch_backfill,
    run_messages,
    stop,
    wait_for_backfill,
    wait_for_run,
)
from tests.tiny_input import write_tiny_input

pytestmark = pytest.mark.slow


def _fingerprint(root: Path) -> dict[str, str]:
    """sha256 of the published DuckDB file and of every published figure file."""
    files = [root / "atp.duckdb", *sorted((root / "exports").glob("*"))]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


def _builds(root: Path) -> list[tuple[str, str | None]]:
    with duckdb.connect(str(root / "atp.duckdb"), read_only=True) as con:
        return con.execute("select build_id, continues_run from meta.builds order by built_at").fetchall()


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path):
    """``atp ui`` on a free port: the project's instance settings in a fresh instance folder, the
    warehouse and exports in a temporary folder; yields the port, the folder and the terminal."""
    root = tmp_path_factory.mktemp("ui_publish")
    home = root / "home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "warehouse" / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    terminal = root / "terminal.txt"
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ATP_DUCKDB_PATH": str(root / "atp.duckdb"),
        "ATP_EXPORTS_DIR": str(root / "exports"),
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
    }
    env.pop("ATP_SOURCE", None)
    with terminal.open("w") as output:
        server = subprocess.Popen(
            [str(VENV_BIN / "atp"), "ui", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 240
        while "ready:" not in terminal.read_text():
            assert server.poll() is None and time.monotonic() < deadline, terminal.read_text()
            time.sleep(1)
        yield {"port": port, "root": root, "terminal": terminal}
    finally:
        stop(server)


def test_materialize_all_for_a_range_is_one_run_that_publishes_once(ui) -> None:
    port, root = ui["port"], ui["root"]
    backfill = wait_for_backfill(port, launch_backfill(port, asset_keys(port), [2006, 2007, 2008]))
    assert backfill["status"] == "COMPLETED_SUCCESS"
    assert [run["status"] for run in backfill["runs"]] == ["SUCCESS"], backfill
    run_id = backfill["runs"][0]["runId"]
    # published once, by that run: one build in the warehouse, the run tagged with what it published
    assert _builds(root) == [(run_id, None)]
    tags = {t["key"]: t["value"] for t in wait_for_run(port, run_id)["tags"]}
    assert tags["atp/publish"].startswith("published the warehouse"), tags
    with duckdb.connect(str(root / "atp.duckdb"), read_only=True) as con:
        assert con.execute("select distinct year from fct_atp_exports order by 1").fetchall() == [
            (2006,),
            (2007,),
            (2008,),
        ]
    assert len(list((root / "exports").glob("figure_*.png"))) == 7  # figures 1-6 of exports and the balance
    ui["published"] = _fingerprint(root)
    # the terminal of `atp ui` shows the run's steps as `atp refresh` prints them, not dbt's output
    terminal = ui["terminal"].read_text()
    assert f"run {run_id[:8]} of __ASSET_JOB started" in terminal
    assert "  raw.export_history: " in terminal and "rows (2006-2008)" in terminal
    models = len(list((REPO_ROOT / "dbt_project" / "models").rglob("*.sql")))  # each model is one .sql file
    assert f"  dbt build: {models} models, 2 seeds, " in terminal
    assert "  figures: 7 of 7 charts and the lineage written" in terminal
    assert f"run {run_id[:8]}: SUCCESS" in terminal
    assert "START test" not in terminal and "RUN_START" not in terminal


def _check_marts_follow_raw(root: Path) -> None:
    """Recompute one mart from the published raw rows: world ATP exports per year (as published,
    every real country, DF 1 + 2) = fct_atp_exports; the raw years are the mart years."""
    with duckdb.connect(str(root / "atp.duckdb"), read_only=True) as con:
        from_raw = con.execute(
            """
            select h.year, sum(h.value_usd) from raw.export_history h
            join raw.atp_concordance c on c.year = h.year and c.hs10_code = h.hs10_code and c.list_rank = 1
            where c.hitech_code <> '00' and h.cty_code not like '0%'
            group by 1 order by 1
            """
        ).fetchall()
        from_mart = con.execute(
            "select year, sum(export_value_usd) from fct_atp_exports group by 1 order by 1"
        ).fetchall()
    assert from_raw == from_mart


def test_a_census_raw_backfill_publishes_nothing_and_says_why(ui) -> None:
    port, root = ui["port"], ui["root"]
    assert ui.get("published"), "runs after test_materialize_all_for_a_range_is_one_run_that_publishes_once"
    raw = asset_keys(port, ("census_raw",))
    backfill = wait_for_backfill(port, launch_backfill(port, raw, [2009]))
    runs = backfill["runs"]
    assert runs and all(run["status"] == "FAILURE" for run in runs), backfill
    messages = "\n".join(run_messages(port, runs[0]["runId"]))
    assert "but not what is built from it" in messages and "launch Materialize all" in messages
    assert _fingerprint(root) == ui["published"]
    # every raw step refused, so none copied the warehouse: no candidate is left behind
    assert not list((root / ".candidates").glob("*"))
    _check_marts_follow_raw(root)


def _launch_range(port: int, first: int, last: int, run_config: dict) -> str:
    """The Launchpad of atp_warehouse_job with a range of years (tags) and run config."""
    params = {
        "selector": {**LOCATION, "jobName": atp_warehouse_job.name},
        "runConfigData": run_config,
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in partition_range_tags(first, last).items()]},
    }
    launched = graphql(port, LAUNCH_RUN, {"params": params})["data"]["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    return launched["run"]["runId"]


def test_a_range_whose_dbt_test_fails_publishes_nothing_and_says_why(ui, tmp_path: Path) -> None:
    """The tiny input with 8542310000 dropped from 2011's list: its 2,200 USD to China fall out of
    the ATP fact, so 2011's world ATP total (3,400 + 1,000 + 600 + 1,500 = 6,500 USD, the 0007 row)
    is 2,200 USD short and dbt's world-total test fails, after the raw loads and the models it
    checks (the dbt step fails; the figures never run; nothing is published)."""
    port, root = ui["port"], ui["root"]
    assert ui.get("published"), "runs after test_materialize_all_for_a_range_is_one_run_that_publishes_once"
    tiny = write_tiny_input(tmp_path / "input")
    listed = tiny / "2011" / "exp-code.txt"
    listed.write_text(
        "".join(line for line in listed.read_text().splitlines(True) if not line.startswith("8542310000"))
    )
    run_id = _launch_range(
        port, 2010, 2011, {"resources": {"source": {"config": {"source": "local", "local_dir": str(tiny)}}}}
    )
    run = wait_for_run(port, run_id)
    assert run["status"] == "FAILURE"
    assert _fingerprint(root) == ui["published"]
    tags = {t["key"]: t["value"] for t in run["tags"]}
    assert tags["atp/publish"].startswith("nothing published"), tags
    messages = "\n".join(run_messages(port, run_id))
    assert "nothing published" in messages
    assert "assert_world_atp_exports_match_census_total" in messages
    assert "year=2011" in messages  # the row behind the failed test
    ui["failed_run"] = run_id


def test_a_re_execution_continues_the_failed_runs_candidate_and_publishes(ui, tmp_path: Path) -> None:
    """A run fails on a bad record of 2011/EXP_HIST.TXT after the other raw tables loaded; the file
    is fixed and the run re-executed from failure: the re-execution loads only the export history,
    builds on its parent's candidate (the parent's country lists and ATP lists) and publishes."""
    port, root = ui["port"], tmp_path  # a warehouse of its own (run config), built from the tiny input alone
    tiny = write_tiny_input(tmp_path / "input")
    history = tiny / "2011" / "EXP_HIST.TXT"
    good = history.read_bytes()
    history.write_bytes(good.replace(b"000000002200", b"0000000022X0", 1))
    config = {
        "resources": {
            "source": {"config": {"source": "local", "local_dir": str(tiny)}},
            "warehouse": {"config": {"duckdb_path": str(root / "atp.duckdb"), "exports_dir": str(root / "exports")}},
        }
    }
    parent = _launch_range(port, 2010, 2011, config)
    assert wait_for_run(port, parent)["status"] == "FAILURE"
    assert "2011/EXP_HIST.TXT, record 1, field value_usd" in "\n".join(run_messages(port, parent))
    history.write_bytes(good)
    answer = graphql(
        port,
        """mutation($params: ReexecutionParams!) { launchRunReexecution(reexecutionParams: $params) {
        __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }""",
        {"params": {"parentRunId": parent, "strategy": "FROM_FAILURE"}},
    )["data"]["launchRunReexecution"]
    assert answer["__typename"] == "LaunchRunSuccess", answer
    child = answer["run"]["runId"]
    assert wait_for_run(port, child)["status"] == "SUCCESS", "\n".join(run_messages(port, child))
    assert _builds(root)[-1] == (child, parent)
    with duckdb.connect(str(root / "atp.duckdb"), read_only=True) as con:
        # China's 2011 ATP exports from the tiny input: 2,200 + 800 + 400 = 3,400 USD
        assert con.execute(
            "select sum(export_value_usd) from fct_atp_exports where year = 2011 and cty_code = '5700'"
        ).fetchone() == (3400,)
        loaded_by = dict(
            con.execute("select raw_table, count(*) from raw.source_files where year = 2011 group by 1").fetchall()
        )
    assert {"atp_concordance", "countries", "export_history"} <= set(loaded_by)
    _check_marts_follow_raw(root)


def test_launching_one_raw_table_fails_at_once_with_one_line(ui) -> None:
    port = ui["port"]
    params = {
        "selector": {**LOCATION, "jobName": "__ASSET_JOB", "assetSelection": [{"path": ["raw", "countries"]}]},
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": "2008"}]},
    }
    launched = graphql(port, LAUNCH_RUN, {"params": params})["data"]["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    run = wait_for_run(port, run_id)
    assert run["status"] == "FAILURE"
    tags = {t["key"]: t["value"] for t in run["tags"]}
    assert tags["atp/publish"] == "nothing published: the run failed before it wrote anything", tags
    causes = [m for m in run_messages(port, run_id) if "IncompleteRunError" in m or "not what is built" in m]
    assert causes and "raw/countries" in causes[0] and "\n" not in causes[-1].strip()


def test_run_config_never_becomes_sql(ui, tmp_path: Path) -> None:
    """The value the reliability pass pasted into the Launchpad's memory_limit ran a COPY that
    wrote a file: now the run is refused before any step (no SQL), nothing is written, and the
    run's page names the setting."""
    port, root = ui["port"], ui["root"]
    target = tmp_path / "written_by_run_config.txt"
    payload = f"512MB'; copy (select 'written by run config') to '{target}' (header false); select '1"
    before = _fingerprint(root)
    run_id = _launch_range(port, 2008, 2008, {"resources": {"warehouse": {"config": {"memory_limit": payload}}}})
    assert wait_for_run(port, run_id)["status"] == "FAILURE"
    assert not target.exists()
    messages = "\n".join(run_messages(port, run_id))
    assert "memory_limit: " in messages and "is not a memory size" in messages, messages
    assert "STEP_START" not in messages and "Started execution of step" not in messages, messages
    assert _fingerprint(root) == before
