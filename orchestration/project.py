"""The dbt project, defined once; its manifest comes from ``dbt parse``.

``prepare_if_dev()`` only acts under ``dagster dev``; the Makefile, the ``atp`` command and the
tests call :func:`prepare_manifest` themselves before loading the definitions.
"""

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.dbt_settings import TARGET_PATH, manifest_is_current
from orchestration.paths import DBT_PROJECT_DIR

#: The dbt executable installed beside this Python (works without an activated virtualenv).
DBT_EXECUTABLE = (
    str(Path(sys.executable).parent / "dbt")
    if (Path(sys.executable).parent / "dbt").exists()
    else (shutil.which("dbt") or "dbt")
)

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, target_path=TARGET_PATH)
dbt_project.prepare_if_dev()


#: What the dbt CLI resource starts: dbt under a guard that ends it with its parent
#: (:mod:`orchestration.dbt_child`; a run killed with kill -9 leaves no dbt behind).
DBT_CHILD = Path(__file__).resolve().parent / "dbt_child.py"


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource for this project: it runs :data:`DBT_EXECUTABLE` through
    :data:`DBT_CHILD` (``$ATP_DBT_EXECUTABLE`` names the real dbt for it)."""
    os.environ["ATP_DBT_EXECUTABLE"] = DBT_EXECUTABLE
    return DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_CHILD))


def prepare_manifest(force: bool = False) -> Path:
    """Run ``dbt parse`` for the project, unless ``manifest.json`` is current
    (:func:`orchestration.dbt_settings.manifest_is_current`; or ``force``), and return the path of
    ``manifest.json``.

    Raises ``dagster_dbt.DagsterDbtCliRuntimeError`` when the project does not parse.
    """
    if force or not manifest_is_current():
        dbt_resource().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
    return dbt_project.manifest_path
