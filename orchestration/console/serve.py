"""Dagster's own processes, started from the console: ``dagster dev`` (webserver and daemon) on the
project's instance for ``atp ui``, its terminal showing the steps of every run it launches, and
``dagster schedule|sensor start|stop`` for ``atp schedule`` / ``atp sensor``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

import typer

from orchestration.paths import REPO_ROOT

#: The workspace file of the code location (``dagster dev -w``, ``dagster schedule ... -w``).
WORKSPACE = REPO_ROOT / "workspace.yaml"


def switch(kind: str, name: str, state: str) -> None:
    """Start (``on``) or stop (``off``) the schedule or sensor (``kind``) ``name`` in the instance at
    ``$DAGSTER_HOME`` with Dagster's own command (``dagster schedule start ...``); saying so when it
    already was. Exit 1 with Dagster's words when the command fails otherwise."""
    dagster = Path(sys.executable).parent / "dagster"
    verb = "start" if state == "on" else "stop"
    completed = subprocess.run(
        [str(dagster), kind, verb, name, "-w", str(WORKSPACE)], capture_output=True, text=True, cwd=REPO_ROOT
    )
    said = (completed.stdout + completed.stderr).strip()
    already = "already" in said.lower() or "not running" in said.lower() or "is not" in said.lower()
    if completed.returncode != 0 and not already:
        typer.echo(f"dagster {kind} {verb} {name} failed:\n{said[-2000:]}", err=True)
        raise typer.Exit(1)
    runs = "runs while the Dagster daemon runs (`make ui` starts one)" if state == "on" else "will not run"
    typer.echo(f"{kind} {name} is {state} in the instance at {os.environ['DAGSTER_HOME']}: it {runs}.")


def serve_ui(host: str, port: int, log_path: Path, steps_path: Path) -> None:
    """Serve the Dagster UI (``dagster dev``) on ``host``:``port`` until Ctrl-C, SIGTERM or SIGHUP,
    its output in ``log_path``; print the step lines its runs append to ``steps_path`` (named to
    them by ``$ATP_STEP_LINES``, :class:`orchestration.reporting.StepLinesHandler`). Every process
    it starts is ended with it. Exit 1 with the log's tail when it stops before it served."""
    from orchestration.reporting import STEP_LINES_ENV

    steps_path.write_text("", encoding="utf-8")
    url = f"http://{host}:{port}"
    venv_bin = Path(sys.executable).parent  # dbt and dagster of this environment, also for dagster-dbt
    env = {**os.environ, STEP_LINES_ENV: str(steps_path), "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}"}
    command = [str(venv_bin / "dagster"), "dev", "-w", str(WORKSPACE), "-h", host, "-p", str(port)]
    # Ctrl-C, `kill` and a closed terminal only ask for the stop; the loop below acts on it. The
    # handlers raise nothing, so no repeat of the signal (`make ui` forwards the SIGTERM its group
    # got, a terminal repeats SIGHUP, a user presses Ctrl-C twice) can cut the stop short and leave
    # the group running; and they are in place before the group exists, and stay until this returns.
    stop = _StopRequest()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop.ask)
    with log_path.open("w", encoding="utf-8") as log, steps_path.open(encoding="utf-8") as steps:
        # dagster dev and everything it starts (webserver, daemon, code servers, run workers) in a
        # process group of their own, ended together whatever ends this command
        server = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            ready = _watch(server, url, steps, stop)
        finally:
            stop_group(server)
    if server.returncode not in (0, -15, -2, -9) and not ready:
        tail = log_path.read_text(encoding="utf-8").splitlines()[-15:]
        typer.echo("dagster dev stopped:\n" + "\n".join(tail), err=True)
        raise typer.Exit(1)


class _StopRequest:
    """Set by the signal handlers (which do nothing else); read by :func:`_watch`."""

    def __init__(self) -> None:
        self.asked = False

    def ask(self, signum: int, frame: object) -> None:
        self.asked = True


def _watch(server: subprocess.Popen, url: str, steps: IO[str], stop: _StopRequest) -> bool:
    """While ``server`` runs and no stop is asked: say once when ``url`` answers, and print the
    step lines as they come. Returns whether the UI answered."""
    ready = False
    while server.poll() is None and not stop.asked:
        if not ready:
            try:
                urllib.request.urlopen(f"{url}/server_info", timeout=2).read()
                ready = True
                typer.echo("ready: runs launched from the UI print their steps here")
            except OSError:
                pass
        for line in steps.readlines():
            typer.echo(line, nl=False)
        time.sleep(0.5)
    return ready


def stop_group(server: subprocess.Popen, grace_seconds: float = 15) -> None:
    """End ``dagster dev`` and every process of its group: SIGTERM, then SIGKILL what is left
    after ``grace_seconds`` (Dagster's services can take minutes to stop on their own)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        if _group_ended(server, grace_seconds):
            break
    server.wait(timeout=30)


def _group_ended(server: subprocess.Popen, seconds: float) -> bool:
    """Wait up to ``seconds`` for the process group of ``server`` to be gone; whether it is."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        server.poll()  # reap the leader, so that only live processes keep the group
        try:
            os.killpg(server.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.5)
    return False
