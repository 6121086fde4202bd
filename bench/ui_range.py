"""A range of years launched from the Dagster UI against ``atp refresh`` of the same years, on the
bundled sample, one sitting on one machine (issue 17: at most 1.5x).

Starts from a warehouse of every bundled year (built once, outside the timings), then, ``--repeat``
times each, alternating:

- console: ``atp refresh --years 2006-2008`` (a process, as a user runs it), wall time;
- UI: what the *Materialize* dialog sends for *Materialize all* over the same years (a backfill
  through the webserver's GraphQL API, ``atp ui`` serving), wall time from the launch to the end
  of the run that publishes, split into the backfill daemon's pickup (the daemon looks for new
  backfills every 30 s), the run worker's start, and the run itself;
- Launchpad: the job ``atp_warehouse_job`` launched with the range as partition-range tags (a run
  at once, no backfill daemon).

Prints a table and writes ``warehouse/bench/ui_range-<time>.json``. Usage:
``python -m bench.ui_range [--years 2006-2008] [--repeat 3] [--local-dir DIR --warehouse FILE]``
(``make bench-ui``; ``make bench`` runs it at full scale on a copy of its 24-year warehouse,
``--local-dir`` its input folder).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from orchestration.jobs import atp_warehouse_job  # noqa: E402
from orchestration.tags import partition_range_tags  # noqa: E402
from tests.dagster_ui import (  # noqa: E402
    LAUNCH_RUN,
    LOCATION,
    VENV_BIN,
    asset_keys,
    free_port,
    graphql,
    launch_backfill,
    stop,
    wait_for_run,
)

RUN_TIMES = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status creationTime startTime endTime } } }"""
BACKFILL_RUNS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
  ... on PartitionBackfill { status runs(limit: 10) { runId status } } } }"""


def _console(env: dict[str, str], years: str) -> float:
    started = time.monotonic()
    source = ["--source", "local", "--local-dir", env["ATP_LOCAL_DIR"]] if env.get("ATP_SOURCE") == "local" else []
    done = subprocess.run(
        [str(VENV_BIN / "atp"), "refresh", *source, "--years", years], env=env, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"atp refresh failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def _ui(port: int, first: int, last: int) -> dict[str, float]:
    launched_at = time.time()
    started = time.monotonic()
    backfill_id = launch_backfill(port, asset_keys(port), list(range(first, last + 1)))
    while True:
        backfill = graphql(port, BACKFILL_RUNS, {"id": backfill_id})["data"]["partitionBackfillOrError"]
        runs = backfill["runs"]
        if runs and all(r["status"] in ("SUCCESS", "FAILURE", "CANCELED") for r in runs):
            break
        time.sleep(0.5)
    seconds = time.monotonic() - started
    if len(runs) != 1 or runs[0]["status"] != "SUCCESS":
        raise SystemExit(f"the UI range gave {runs}")
    run = graphql(port, RUN_TIMES, {"id": runs[0]["runId"]})["data"]["runOrError"]
    return {
        "seconds": seconds,
        "daemon_pickup_seconds": run["creationTime"] - launched_at,
        "worker_start_seconds": run["startTime"] - run["creationTime"],
        "run_seconds": run["endTime"] - run["startTime"],
    }


def _launchpad(port: int, first: int, last: int) -> dict[str, float]:
    """The Launchpad of atp_warehouse_job with the range as tags: a run, no backfill daemon."""
    params = {
        "selector": {**LOCATION, "jobName": atp_warehouse_job.name},
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in partition_range_tags(first, last).items()]},
    }
    started = time.monotonic()
    launched = graphql(port, LAUNCH_RUN, {"params": params})["data"]["launchRun"]
    run = wait_for_run(port, launched["run"]["runId"], seconds=1800)
    seconds = time.monotonic() - started
    if run["status"] != "SUCCESS":
        raise SystemExit(f"the Launchpad range gave {run['status']}")
    times = graphql(port, RUN_TIMES, {"id": launched["run"]["runId"]})["data"]["runOrError"]
    return {"seconds": seconds, "worker_start_seconds": times["startTime"] - times["creationTime"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", default="2006-2008")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--local-dir", type=Path, help="an input folder (source local) instead of the bundle")
    parser.add_argument("--warehouse", type=Path, help="start from a copy of this warehouse file instead of a build")
    args = parser.parse_args()
    first, last = (int(y) for y in args.years.split("-"))
    root = Path(tempfile.mkdtemp(prefix="atp-bench-ui-"))
    env = _environment(root)
    if args.local_dir:
        env.update({"ATP_SOURCE": "local", "ATP_LOCAL_DIR": str(args.local_dir)})
    if args.warehouse:  # its year store stays where it is: the copy reads it, writes years of its own
        print(f"copying {args.warehouse} into {root} (not timed) ...", flush=True)
        shutil.copyfile(args.warehouse, root / "atp.duckdb")
    else:
        print(f"building every bundled year into {root} (not timed) ...", flush=True)
        _console(env, "2000-2023")
    console, ui, launchpad = [], [], []
    with _serving(root, env) as port:
        for attempt in range(args.repeat):
            console.append(_console(env, args.years))
            ui.append(_ui(port, first, last))
            launchpad.append(_launchpad(port, first, last))
            print(
                f"  {attempt + 1}: atp refresh {console[-1]:.1f} s, Materialize dialog {ui[-1]['seconds']:.1f} s "
                f"(daemon pickup {ui[-1]['daemon_pickup_seconds']:.1f} s, worker start "
                f"{ui[-1]['worker_start_seconds']:.1f} s, run {ui[-1]['run_seconds']:.1f} s), "
                f"Launchpad {launchpad[-1]['seconds']:.1f} s",
                flush=True,
            )
    result = _result(args.years, console, ui, launchpad)
    out = REPO_ROOT / "warehouse" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"ui_range-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(
        f"median: atp refresh {result['median_console_seconds']:.1f} s; Materialize dialog "
        f"{result['median_ui_seconds']:.1f} s, ratio {result['ratio']:.2f} "
        f"(daemon pickup {result['median_daemon_pickup_seconds']:.1f} s, worker start "
        f"{result['median_worker_start_seconds']:.1f} s, run {result['median_ui_run_seconds']:.1f} s); Launchpad "
        f"{result['median_launchpad_seconds']:.1f} s, ratio {result['launchpad_ratio']:.2f}; {path}"
    )
    shutil.rmtree(root, ignore_errors=True)


def _environment(root: Path) -> dict[str, str]:
    """The environment of every process of the benchmark: its own Dagster instance, warehouse and
    exports under ``root``, the virtualenv's commands first."""
    home = root / "home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "warehouse" / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ATP_DUCKDB_PATH": str(root / "atp.duckdb"),
        "ATP_EXPORTS_DIR": str(root / "exports"),
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    env.pop("ATP_SOURCE", None)
    return env


@contextmanager
def _serving(root: Path, env: dict[str, str]) -> Iterator[int]:
    """``atp ui`` on a free port for the block (its terminal in ``root/ui.txt``), once it says it
    is ready; yields the port and stops it afterwards."""
    port = free_port()
    terminal = (root / "ui.txt").open("w")
    server = subprocess.Popen(
        [str(VENV_BIN / "atp"), "ui", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=terminal,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while "ready:" not in (root / "ui.txt").read_text():
            if server.poll() is not None:
                raise SystemExit((root / "ui.txt").read_text())
            time.sleep(1)
        yield port
    finally:
        stop(server)
        terminal.close()


def _result(years: str, console: list[float], ui: list[dict], launchpad: list[dict]) -> dict[str, object]:
    """Every time measured, their medians and the ratios to ``atp refresh``."""
    median_console = statistics.median(console)
    median_ui = statistics.median(u["seconds"] for u in ui)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "years": years,
        "machine": f"{os.cpu_count()} cores, {os.uname().machine}",
        "console_seconds": console,
        "ui": ui,
        "median_console_seconds": median_console,
        "median_ui_seconds": median_ui,
        "ratio": median_ui / median_console,
        "median_ui_run_seconds": statistics.median(u["run_seconds"] for u in ui),
        "median_daemon_pickup_seconds": statistics.median(u["daemon_pickup_seconds"] for u in ui),
        "median_worker_start_seconds": statistics.median(u["worker_start_seconds"] for u in ui),
        "launchpad": launchpad,
        "median_launchpad_seconds": statistics.median(u["seconds"] for u in launchpad),
    }
    result["launchpad_ratio"] = result["median_launchpad_seconds"] / median_console
    return result


if __name__ == "__main__":
    main()
