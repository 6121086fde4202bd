"""Dagster resources: where the warehouse lives and where its inputs and exports are."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource
from pydantic import Field

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The one setting that names the DuckDB file; Dagster and the dbt profile both read it.
DUCKDB_PATH_ENV = "ATP_DUCKDB_PATH"
INPUT_DIR_ENV = "ATP_INPUT_DIR"
EXPORTS_DIR_ENV = "ATP_EXPORTS_DIR"
DEFAULT_DUCKDB_PATH = "warehouse/atp.duckdb"
DEFAULT_INPUT_DIR = "warehouse/sample"
DEFAULT_EXPORTS_DIR = "warehouse/exports"


def _resolve(configured: str, env_name: str, default: str) -> Path:
    """Run config value, else the environment variable, else the default; relative paths are
    taken from the repository root so every process (Dagster, dbt, tests) agrees."""
    path = Path(configured or os.environ.get(env_name) or default)
    return path if path.is_absolute() else REPO_ROOT / path


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file, the input folder of Census-layout files, and the exports folder.

    Each path is taken from run config, else from its environment variable
    (``ATP_DUCKDB_PATH``, ``ATP_INPUT_DIR``, ``ATP_EXPORTS_DIR``), else from the default under
    ``warehouse/``; relative paths are resolved against the repository root. The dbt assets pass
    the resolved DuckDB path to dbt (``--vars duckdb_path``), so both always use the same file.
    """

    duckdb_path: str = Field(
        default="", description=f"DuckDB file; default ${DUCKDB_PATH_ENV} or {DEFAULT_DUCKDB_PATH}"
    )
    input_dir: str = Field(
        default="", description=f"Folder of Census-layout input files; default ${INPUT_DIR_ENV} or {DEFAULT_INPUT_DIR}"
    )
    exports_dir: str = Field(
        default="",
        description=f"Folder for figure tables and charts; default ${EXPORTS_DIR_ENV} or {DEFAULT_EXPORTS_DIR}",
    )

    def database_path(self) -> Path:
        """Absolute path of the DuckDB file."""
        return _resolve(self.duckdb_path, DUCKDB_PATH_ENV, DEFAULT_DUCKDB_PATH)

    def input_path(self) -> Path:
        """Absolute path of the input folder (layout: :mod:`orchestration.census.load`)."""
        return _resolve(self.input_dir, INPUT_DIR_ENV, DEFAULT_INPUT_DIR)

    def exports_path(self) -> Path:
        """Absolute path of the exports folder."""
        return _resolve(self.exports_dir, EXPORTS_DIR_ENV, DEFAULT_EXPORTS_DIR)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write DuckDB connection to the warehouse file (created if missing)."""
        path = self.database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with DuckDBResource(database=str(path)).get_connection() as con:
            yield con
