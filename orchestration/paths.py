"""Where things are, defined once: the repository, the warehouse's default files and folders, and
the environment variables that move them. Plain paths and names (no Dagster): the resources
(:mod:`orchestration.resources`), the console, dbt's profile and the dev tools read them here."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository (this package's parent folder); relative settings are taken from here.
REPO_ROOT = Path(__file__).resolve().parent.parent
#: The dbt project (models, tests, seeds, macros, ``dbt_project.yml``).
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

#: The one setting that names the DuckDB file; Dagster and the dbt profile both read it.
DUCKDB_PATH_ENV = "ATP_DUCKDB_PATH"
#: The setting that names the published figures' folder.
EXPORTS_DIR_ENV = "ATP_EXPORTS_DIR"
#: The one setting that sizes DuckDB's memory: the warehouse connections and dbt's (issue 21).
MEMORY_LIMIT_ENV = "ATP_MEMORY_LIMIT"
#: The folder of the Parquet raw layer (orchestration/census/raw_layer.py); default: parquet/
#: beside the DuckDB file.
PARQUET_DIR_ENV = "ATP_PARQUET_DIR"
#: Sized for a 2-core, 24 GiB machine (DuckDB spills to disk beyond it): dbt builds 24 full-size
#: years of both flows under it at 1,341-1,564 MiB peak RSS, and fails at 768MB (two of dbt's heavy
#: tests at once); `make bench` measures the peak RSS it gives (docs/benchmarks.md).
DEFAULT_MEMORY_LIMIT = "1GB"
#: The share of the memory limit a year load's connection gets (WarehouseResource.load_memory_limit):
#: a load streams one file, is as fast at half the limit, and DuckDB's untracked buffers come on top.
LOAD_MEMORY_SHARE = 0.5
DEFAULT_DUCKDB_PATH = "warehouse/atp.duckdb"
DEFAULT_EXPORTS_DIR = "warehouse/exports"
#: The bundled input folder (SYNTHETIC sample and the real Census files), relative to the repository.
SAMPLE_DIR = "warehouse/sample"

#: The source resource's settings from the environment (``sample``, ``local`` or ``census``; the
#: local folder; the landing area of downloads).
SOURCE_ENV = "ATP_SOURCE"
LOCAL_DIR_ENV = "ATP_LOCAL_DIR"
LANDING_DIR_ENV = "ATP_LANDING_DIR"
DEFAULT_LANDING_DIR = "warehouse/raw"

#: The Dagster instance of every ``atp`` command unless ``$DAGSTER_HOME`` names another.
DEFAULT_DAGSTER_HOME = REPO_ROOT / "warehouse" / "dagster_home"
#: Folder beside the warehouse file where ``atp refresh``, ``atp figures`` and ``atp ui`` write the
#: full dbt and Dagster output of a run (unless --verbose): ``warehouse/logs`` by default.
RUN_LOG_DIR_NAME = "logs"


def resolve_path(configured: str, env_name: str, default: str) -> Path:
    """``configured`` (run config), else the environment variable ``env_name``, else ``default``;
    a relative path is taken from :data:`REPO_ROOT`, so every process (Dagster, dbt, tests)
    agrees. Returns an absolute path (not checked for existence)."""
    path = Path(configured or os.environ.get(env_name) or default)
    return path if path.is_absolute() else REPO_ROOT / path
