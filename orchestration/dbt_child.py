#!/usr/bin/env python3
"""Run dbt so that it ends with the process that started it (the run's ``dbt build`` step).

The dbt CLI resource starts this file instead of ``dbt``; on Linux it asks the kernel to kill
it when its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, kept across ``exec``), then
becomes the real dbt (``$ATP_DBT_EXECUTABLE``, set by :func:`orchestration.project.dbt_resource`).
So a run killed with kill -9 during ``dbt build`` leaves no dbt behind, working on an abandoned
candidate and on ``dbt_project/target/run``. Elsewhere (no ``prctl``) it simply runs dbt.
Standard library only: any Python 3 runs it.
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> None:
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: no parent-death signal
        pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        sys.exit(1)
    real = os.environ.get("ATP_DBT_EXECUTABLE") or "dbt"
    os.execvp(real, [real, *sys.argv[1:]])


if __name__ == "__main__":
    main()
