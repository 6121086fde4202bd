"""Drive the Dagster UI the way a user's clicks do: start ``dagster dev`` (webserver and daemon)
or ``dagster-webserver`` on a free local port with its own instance, and call its GraphQL API
(the calls the Materialize dialog, the Launchpad and the run page make)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
#: An instance for a test: telemetry and the first-visit modal off; runs start at once.
INSTANCE_YAML = (
    "telemetry:\n  enabled: false\nnux:\n  enabled: false\n"
    "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: DefaultRunCoordinator\n"
)
LOCATION = {"repositoryLocationName": "atp_warehouse", "repositoryName": "__repository__"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
    """POST one GraphQL query to the webserver on ``port``; the decoded answer."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return json.loads(urllib.request.urlopen(request, timeout=timeout).read())


def stop(process: subprocess.Popen) -> None:
    """Stop a server started in its own process group, and every process it started."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass


WORKSPACE = """{ workspaceOrError { __typename ... on Workspace { locationEntries { name locationOrLoadError {
  __typename ... on PythonError { message } ... on RepositoryLocation { name } } } } } }"""


@contextmanager
def dagster_ui(home: Path, env: dict[str, str], daemon: bool = True, log: Path | None = None) -> Iterator[int]:
    """``dagster dev`` (webserver and daemon; ``daemon=False``: ``dagster-webserver`` alone) on a
    free port with the instance folder ``home`` (given :data:`INSTANCE_YAML` if it has no
    ``dagster.yaml``) and ``env``; yields the port once the code location is loaded; output goes
    to ``log`` (default: nowhere)."""
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text(INSTANCE_YAML)
    port = free_port()
    command = (
        [str(VENV_BIN / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)]
        if daemon
        else [str(VENV_BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)]
    )
    full_env = {**env, "DAGSTER_HOME": str(home), "PATH": f"{VENV_BIN}:{env.get('PATH', os.environ['PATH'])}"}
    output = log.open("w") if log is not None else subprocess.DEVNULL
    server = subprocess.Popen(
        command, cwd=REPO_ROOT, env=full_env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            assert server.poll() is None, f"{command[0]} stopped (exit {server.returncode})"
            assert time.monotonic() < deadline, "the Dagster UI did not load the code location in 240 s"
            try:
                entries = graphql(port, WORKSPACE)["data"]["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["locationOrLoadError"] is not None:
                    break
            except (OSError, KeyError, TypeError, ValueError):
                pass
            time.sleep(1)
        yield port
    finally:
        stop(server)
        if log is not None:
            output.close()


RUN_STATUS = """query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status tags { key value } } } }"""
BACKFILL = """query($id: String!) { partitionBackfillOrError(backfillId: $id) { __typename
  ... on PartitionBackfill { status runs(limit: 50) { runId status } } } }"""
LAUNCH_BACKFILL = """mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message }
  ... on InvalidSubsetError { message } ... on UnauthorizedError { message } } }"""
LAUNCH_RUN = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""
ASSET_KEYS = """{ assetNodes { assetKey { path } groupName } }"""
RUN_EVENTS = """query($id: ID!) { logsForRun(runId: $id) { __typename ... on EventConnection { events {
  __typename ... on MessageEvent { message level stepKey }
  ... on ExecutionStepFailureEvent { error { message causes { message } } }
  ... on ResourceInitFailureEvent { error { message causes { message } } }
  ... on RunFailureEvent { error { message causes { message } } } } } } }"""


def asset_keys(port: int, groups: tuple[str, ...] | None = None) -> list[list[str]]:
    """Every asset key of the code location (``path`` lists), of ``groups`` only if given."""
    nodes = graphql(port, ASSET_KEYS)["data"]["assetNodes"]
    return [n["assetKey"]["path"] for n in nodes if groups is None or n["groupName"] in groups]


def launch_backfill(port: int, keys: list[list[str]], years: list[int], run_config: dict | None = None) -> str:
    """What the Materialize dialog sends for a range of partitions of assets (a pure asset
    backfill); returns the backfill id."""
    params = {
        "assetSelection": [{"path": key} for key in keys],
        "partitionNames": [str(year) for year in years],
        "fromFailure": False,
        "tags": [{"key": "dagster/from_ui", "value": "true"}],
    }
    if run_config is not None:
        params["runConfigData"] = run_config
    answer = graphql(port, LAUNCH_BACKFILL, {"params": params})["data"]["launchPartitionBackfill"]
    assert answer["__typename"] == "LaunchBackfillSuccess", answer
    return answer["backfillId"]


def wait_for_backfill(port: int, backfill_id: str, seconds: float = 900) -> dict:
    """Poll until the backfill is done (completed, failed or canceled) and its runs have ended;
    its ``status`` and ``runs`` (runId, status)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        backfill = graphql(port, BACKFILL, {"id": backfill_id})["data"]["partitionBackfillOrError"]
        ended = all(r["status"] in ("SUCCESS", "FAILURE", "CANCELED") for r in backfill["runs"])
        if backfill["status"] not in ("REQUESTED", "CANCELING") and ended:
            return backfill
        time.sleep(2)
    raise AssertionError(f"backfill {backfill_id} did not end in {seconds} s")


def wait_for_run(port: int, run_id: str, seconds: float = 900) -> dict:
    """Poll until the run has ended; its ``status`` and ``tags``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = graphql(port, RUN_STATUS, {"id": run_id})["data"]["runOrError"]
        if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
            return run
        time.sleep(2)
    raise AssertionError(f"run {run_id} did not end in {seconds} s")


def run_messages(port: int, run_id: str) -> list[str]:
    """Every message of a run's event log (what its page shows), step failures with their causes."""
    events = graphql(port, RUN_EVENTS, {"id": run_id})["data"]["logsForRun"]["events"]
    messages = []
    for event in events:
        if "error" in event and event["error"]:
            messages.append(event["error"]["message"])
            messages.extend(cause["message"] for cause in event["error"]["causes"])
        elif event.get("message"):
            messages.append(event["message"])
    return messages
