"""Operating the warehouse: the annual schedule and release sensor, blocking checks, overlapping
runs on one DuckDB file, and the Dagster UI serving the code location (all without network)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import requests
import responses
from filelock import FileLock

from orchestration.jobs import atp_warehouse_job
from orchestration.paths import REPO_ROOT
from orchestration.resources import SourceResource, WarehouseResource
from orchestration.schedules import annual_census_refresh, census_release_sensor, refresh_years
from orchestration.tags import TRIGGER_TAG, partition_range_tags

COUNTRY_XLSX = "https://www.census.gov/foreign-trade/statistics/country/country.xlsx"


def test_refresh_covers_the_newest_year_and_the_revised_ones() -> None:
    assert refresh_years(datetime(2026, 6, 15), 2) == (2023, 2025)
    assert refresh_years(datetime(2026, 6, 15), 0) == (2025, 2025)
    with pytest.raises(ValueError):
        refresh_years(datetime(2026, 6, 15), -1)


def test_schedule_requests_a_census_run_over_the_revised_years() -> None:
    from dagster import DefaultScheduleStatus, build_schedule_context

    request = annual_census_refresh(build_schedule_context(scheduled_execution_time=datetime(2026, 6, 15, 6)))
    assert request.tags == {**partition_range_tags(2023, 2025), TRIGGER_TAG: "annual_refresh"}
    # every landed copy is downloaded again: a revision arrives under the same names
    assert request.run_config == {"resources": {"source": {"config": {"source": "census", "force_download": True}}}}
    assert annual_census_refresh.default_status == DefaultScheduleStatus.STOPPED
    assert annual_census_refresh.cron_schedule == "0 6 15 6 *"


@responses.activate
def test_sensor_requests_a_run_only_when_the_release_changed() -> None:
    from dagster import DefaultSensorStatus, RunRequest, SkipReason, build_sensor_context

    assert census_release_sensor.default_status == DefaultSensorStatus.STOPPED
    responses.head(COUNTRY_XLSX, headers={"ETag": '"2026-06"'})
    with build_sensor_context(resources={"source": SourceResource()}) as context:
        first = census_release_sensor(context)
    assert isinstance(first, RunRequest) and first.run_key == 'release-"2026-06"'
    # a release means revised files under the same names: every landed copy is downloaded again
    assert first.run_config["resources"]["source"]["config"]["force_download"] is True
    with build_sensor_context(cursor='"2026-06"', resources={"source": SourceResource()}) as context:
        unchanged = census_release_sensor(context)
    assert isinstance(unchanged, SkipReason) and "no new release" in unchanged.skip_message


@responses.activate
def test_sensor_without_network_logs_and_skips() -> None:
    from dagster import SkipReason, build_sensor_context

    responses.head(COUNTRY_XLSX, body=requests.exceptions.ConnectionError("no route to host"))
    with build_sensor_context(resources={"source": SourceResource()}) as context:
        result = census_release_sensor(context)
    assert isinstance(result, SkipReason) and "could not reach" in result.skip_message


def test_blocking_raw_check_fails_for_a_loaded_year_without_rows(tmp_path: Path) -> None:
    from dagster import build_asset_check_context

    from orchestration.checks import raw_export_history_rows_and_values

    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.source_files (year int, raw_table varchar)")
        con.execute("insert into raw.source_files values (2008, 'export_history'), (2009, 'export_history')")
        con.execute("create table raw.export_history (year int, value_usd bigint)")
        con.execute("insert into raw.export_history values (2008, 5), (2008, 7)")
    result = raw_export_history_rows_and_values(build_asset_check_context(), WarehouseResource(duckdb_path=str(path)))
    assert not result.passed
    assert result.metadata["years_without_rows"].value == "2009"
    assert all(spec.blocking for spec in raw_export_history_rows_and_values.check_specs)


LOAD_ONE_YEAR = textwrap.dedent("""
    import sys
    from dagster import materialize
    from orchestration.assets.raw import raw_assets
    from orchestration.resources import SourceResource, WarehouseResource
    result = materialize([raw_assets[0]], partition_key=sys.argv[2],
                         resources={"warehouse": WarehouseResource(duckdb_path=sys.argv[1]),
                                    "source": SourceResource(source="sample")})
    sys.exit(0 if result.success else 1)
""")


def test_overlapping_runs_wait_for_the_writer_lock_instead_of_failing(tmp_path: Path) -> None:
    database = tmp_path / "shared.duckdb"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO_ROOT)}
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    lock = FileLock(f"{database}.lock")
    lock.acquire()  # a run that is writing: the two runs below must wait for it, not fail
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", LOAD_ONE_YEAR, str(database), year],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for year in ("2005", "2006")
    ]
    time.sleep(8)
    assert all(run.poll() is None for run in runs), "the runs must be waiting for the lock"
    lock.release()
    outputs = [run.communicate(timeout=240)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    with duckdb.connect(str(database), read_only=True) as con:
        counts = con.execute("select year, count(*) from raw.export_history group by 1 order by 1").fetchall()
    # every record of both years' files (one record per line) is there
    lines = {
        y: len((REPO_ROOT / "warehouse" / "sample" / str(y) / "EXP_HIST.TXT").read_text().splitlines())
        for y in (2005, 2006)
    }
    assert counts == [(2005, lines[2005]), (2006, lines[2006])]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


QUERY = """{ workspaceOrError { __typename ... on Workspace { locationEntries { name locationOrLoadError {
  __typename ... on PythonError { message }
  ... on RepositoryLocation { repositories { name schedules { name } sensors { name }
  assetNodes { assetKey { path } } } } } } } } }"""


def _graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return json.loads(urllib.request.urlopen(request, timeout=30).read())


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path):
    """dagster-webserver on a free local port, with its own instance and warehouse files."""
    root = tmp_path_factory.mktemp("ui")
    port = _free_port()
    home = root / "home"
    home.mkdir()
    # runs start at once (no daemon here to take them off a queue), in their own run worker process
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\nnux:\n  enabled: false\n"
        "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: DefaultRunCoordinator\n"
    )
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "ATP_DUCKDB_PATH": str(root / "atp.duckdb"),
        "ATP_EXPORTS_DIR": str(root / "exports"),
    }
    env.pop("ATP_SOURCE", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        answer = None
        while time.monotonic() < deadline:
            try:
                answer = _graphql(port, QUERY)
                entries = answer["data"]["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["locationOrLoadError"] is not None:
                    break
            except (OSError, KeyError, TypeError, ValueError):
                pass
            time.sleep(2)
        yield {"port": port, "answer": answer, "root": root}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)


def test_the_ui_serves_the_code_location(webserver) -> None:
    location = webserver["answer"]["data"]["workspaceOrError"]["locationEntries"][0]["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", location
    repository = location["repositories"][0]
    keys = {"/".join(node["assetKey"]["path"]) for node in repository["assetNodes"]}
    assert {"raw/export_history", "fct_atp_exports", "fct_atp_growth", "figure_5_atp_definitions"} <= keys
    assert [s["name"] for s in repository["schedules"]] == ["annual_census_refresh"]
    assert [s["name"] for s in repository["sensors"]] == ["census_release_sensor"]


LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
STATUS = """query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }"""
ENGINE = """query($id: ID!) { logsForRun(runId: $id) { __typename ... on EventConnection {
  events { __typename ... on EngineEvent { message } } } } }"""


def test_a_run_launched_through_the_ui_runs_its_steps_in_one_process(webserver) -> None:
    port = webserver["port"]
    params = {
        "selector": {
            "repositoryLocationName": "atp_warehouse",
            "repositoryName": "__repository__",
            "jobName": atp_warehouse_job.name,
        },
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in partition_range_tags(2007, 2008).items()]},
    }
    launched = _graphql(port, LAUNCH, {"params": params})["data"]["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    webserver["run_id"] = run_id  # for the screenshots
    deadline = time.monotonic() + 600
    status = None
    while time.monotonic() < deadline:
        status = _graphql(port, STATUS, {"id": run_id})["data"]["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(3)
    assert status == "SUCCESS"
    events = _graphql(port, ENGINE, {"id": run_id})["data"]["logsForRun"]["events"]
    messages = [e["message"] for e in events if e["__typename"] == "EngineEvent"]
    # the in-process executor runs every step in the run worker; the multiprocess one would
    # start a process per step ("Executing steps using multiprocess executor")
    assert any(m.startswith("Executing steps in process") for m in messages), messages
    assert not any("multiprocess" in m for m in messages), messages
    with duckdb.connect(str(webserver["root"] / "atp.duckdb"), read_only=True) as con:
        years = con.execute("select distinct year from fct_atp_exports order by 1").fetchall()
    assert years == [(2007,), (2008,)]


def test_a_launchpad_run_for_a_partner_group_builds_its_figures(webserver, tmp_path: Path) -> None:
    """What the Launchpad form sends: resources (the tiny input, its own warehouse file) and the
    figure assets' config (partner CN_HK = China + Hong Kong, year 2011). Values by hand from
    tests/tiny_input.py: ATP exports to China + Hong Kong 2000 USD (2010) and 4000 USD (2011)."""
    from orchestration.run_config import figure_run_config
    from tests.tiny_input import write_tiny_input

    tiny = write_tiny_input(tmp_path / "input")
    warehouse = tmp_path / "tiny.duckdb"
    exports = tmp_path / "exports"
    params = {
        "selector": {
            "repositoryLocationName": "atp_warehouse",
            "repositoryName": "__repository__",
            "jobName": atp_warehouse_job.name,
        },
        "runConfigData": {
            "resources": {
                "source": {"config": {"source": "local", "local_dir": str(tiny)}},
                "warehouse": {"config": {"duckdb_path": str(warehouse), "exports_dir": str(exports)}},
                **figure_run_config(partner="CN_HK", year=2011)["resources"],
            },
        },
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in partition_range_tags(2010, 2011).items()]},
    }
    launched = _graphql(webserver["port"], LAUNCH, {"params": params})["data"]["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline = time.monotonic() + 600
    status = None
    while time.monotonic() < deadline:
        status = _graphql(webserver["port"], STATUS, {"id": run_id})["data"]["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(3)
    assert status == "SUCCESS"
    stems = sorted(p.stem for p in exports.glob("*.png"))
    assert stems == [
        "figure_1_atp_exports_cn_hk_china_hong_kong",
        "figure_2_composition_cn_hk_china_hong_kong",
        "figure_3_composition_shares_cn_hk_china_hong_kong_2011",
        "figure_4_specialization_gaps_cn_hk_china_hong_kong",
        "figure_5_atp_definitions_cn_hk_china_hong_kong",
        "figure_6_gap_products_cn_hk_china_hong_kong_2011",
    ]
    with (exports / "figure_1_atp_exports_cn_hk_china_hong_kong.csv").open() as handle:
        import csv

        rows = list(csv.DictReader(handle))
    assert [(r["year"], r["partner_atp_exports_usd_billions"]) for r in rows] == [
        ("2010", "0.000002000"),
        ("2011", "0.000004000"),
    ]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Where the UI screenshots are kept for people to look at (git-ignored).
SCREENSHOTS = REPO_ROOT / "warehouse" / "screenshots"


def _browse(url: str, png: Path) -> str:
    """Load ``url`` in headless Chromium: save a screenshot to ``png`` and return the page's DOM
    after its scripts ran (both with 20 s of virtual time for the UI's GraphQL calls)."""
    common = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--window-size=1600,1000",
        "--virtual-time-budget=20000",
    ]
    shot = subprocess.run([*common, f"--screenshot={png}", url], capture_output=True, text=True, timeout=180)
    assert shot.returncode == 0 and png.is_file() and png.stat().st_size > 20_000, shot.stderr[-2000:]
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium (Debian package chromium) is not installed")
def test_screenshots_of_the_asset_graph_and_a_launched_run(webserver) -> None:
    """What a user sees in a browser: the asset graph, and the run launched above. A page that
    fails to load (the browser's error page, or the UI's) fails the test."""
    port, run_id = webserver["port"], webserver.get("run_id")
    assert run_id, "runs after test_a_run_launched_through_the_ui_runs_its_steps_in_one_process"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    graph = _browse(f"http://127.0.0.1:{port}/asset-groups", SCREENSHOTS / "ui_asset_graph.png")
    run = _browse(f"http://127.0.0.1:{port}/runs/{run_id}", SCREENSHOTS / "ui_launched_run.png")
    for dom in (graph, run):
        assert "ERR_CONNECTION" not in dom and "This site can" not in dom
        assert "Join the Dagster community" not in dom  # the first-visit modal is off (nux)
    # the graph shows the six asset groups; the run page shows the run and its steps
    for group in ("census_raw", "dbt_staging", "dbt_intermediate", "dbt_marts", "dbt_seeds", "figures"):
        assert group in graph, group
    assert run_id[:8] in run and atp_warehouse_job.name in run
    assert "raw__export_history" in run or "raw/export_history" in run
