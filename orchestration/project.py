"""The dbt project, defined once; its manifest comes from ``dbt parse``.

``prepare_if_dev()`` only acts under ``dagster dev``; the Makefile, the ``atp`` command and the
tests call :func:`prepare_manifest` themselves before loading the definitions.
"""

import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

#: The dbt executable installed beside this Python (works without an activated virtualenv).
DBT_EXECUTABLE = (
    str(Path(sys.executable).parent / "dbt")
    if (Path(sys.executable).parent / "dbt").exists()
    else (shutil.which("dbt") or "dbt")
)

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource for this project."""
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)


def prepare_manifest() -> Path:
    """Run ``dbt parse`` for the project and return the path of ``manifest.json``.

    Raises ``dagster_dbt.DagsterDbtCliRuntimeError`` when the project does not parse.
    """
    dbt_resource().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
    return dbt_project.manifest_path
