"""(d) ``dbt build`` of the project over every year loaded in the warehouse file, in full
(``--full-refresh``: every year of the year-incremental models too), with the project's own
defaults (:mod:`orchestration.dbt_settings`) and the memory limit of ``$ATP_MEMORY_LIMIT``.
Prints 0, or dbt's output and its exit code."""

from __future__ import annotations

import subprocess
import sys

from bench.steps import step_args
from orchestration.assets.dbt import dbt_build_args
from orchestration.paths import DBT_PROJECT_DIR
from orchestration.project import DBT_EXECUTABLE


def main() -> None:
    args = step_args()
    done = subprocess.run(
        [DBT_EXECUTABLE, "--quiet", *dbt_build_args(args.warehouse)],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(done.returncode)
    print(0)


if __name__ == "__main__":
    main()
