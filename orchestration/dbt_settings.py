"""The dbt project's own settings, read once from ``dbt_project/dbt_project.yml``: the defaults of
the build settings users change (the fixed definition's base year, the reclassification coverage
threshold) and where a run's ``dbt build`` writes its results. Plain data (no Dagster, no
dagster-dbt): the dbt asset's config (:class:`orchestration.assets.dbt.DbtBuildConfig`), the
console's options and the failure reports all take them from here, and dbt itself reads the same
file when it runs without ``--vars`` (``make docs``, the benchmark)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from orchestration.paths import DBT_PROJECT_DIR

#: The project file the defaults are read from.
DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"


def read_project_vars(path: Path = DBT_PROJECT_FILE) -> dict[str, Any]:
    """The ``vars`` of a ``dbt_project.yml`` (name -> value as YAML types it). Raises ``OSError``
    when the file cannot be read and ``KeyError`` when it has no ``vars``."""
    return dict(yaml.safe_load(path.read_text(encoding="utf-8"))["vars"])


#: The project's vars, read when this module is imported.
PROJECT_VARS = read_project_vars()
#: Base year of the fixed-definition series (``fixed_<base year>``) when none is given.
DEFAULT_BASE_YEAR = int(PROJECT_VARS["atp_base_year"])
#: Largest share (0-1) of a year's ATP exports allowed in codes the fixed definition cannot link to
#: the base year's list, when none is given.
DEFAULT_MAX_UNLINKED_VALUE_SHARE = float(PROJECT_VARS["max_unlinked_value_share"])

#: dbt's target folder (relative to the dbt project): ``dbt parse`` writes the manifest there.
TARGET_PATH = Path("target")
#: The parsed project the dbt assets are defined from (``dbt parse``, ``make prepare``).
MANIFEST_PATH = DBT_PROJECT_DIR / TARGET_PATH / "manifest.json"
#: One target folder for every build of a run (relative to the dbt project): dbt reuses its
#: partial parse from one build to the next instead of parsing the project again, and the folder
#: does not grow with every run. Builds never overlap: each holds the warehouse writer lock.
RUN_TARGET_PATH = TARGET_PATH / "run"
#: The same folder, absolute: where a run's ``run_results.json`` is read back.
RUN_TARGET_DIR = DBT_PROJECT_DIR / RUN_TARGET_PATH


def manifest_is_current() -> bool:
    """Whether ``manifest.json`` (:data:`MANIFEST_PATH`) exists and is newer than every file of
    the dbt project it is parsed from (``dbt_project.yml``, ``profiles.yml``, models, tests,
    macros, seeds)."""
    if not MANIFEST_PATH.is_file():
        return False
    sources = [DBT_PROJECT_FILE, DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "tests", "macros", "seeds"):
        sources.extend(p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    return MANIFEST_PATH.stat().st_mtime >= max(p.stat().st_mtime for p in sources)
