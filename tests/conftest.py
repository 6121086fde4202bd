"""Shared fixtures: the dbt manifest is prepared once per session (``prepare_if_dev`` only acts
under ``dagster dev``), and every test that writes a warehouse gets its own temporary files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The tiny warehouse fixtures (built, tiny) shared by the publish and hardening tests.
pytest_plugins = ["tests.tiny_warehouse"]

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO_ROOT / "warehouse" / "sample"
#: The real Census country table of the bundle (country.xlsx, vintage 2024-06).
COUNTRY_TRADE_XLSX = SAMPLE_DIR / "country_trade" / "country.xlsx"
#: Real Census data kept for tests only (not part of the bundle): see tests/data/README.md.
TEST_DATA_DIR = REPO_ROOT / "tests" / "data" / "census"


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """Run ``dbt parse`` once so the Dagster definitions can be loaded."""
    from orchestration.project import prepare_manifest

    return prepare_manifest()


@pytest.fixture()
def warehouse_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point the warehouse file and exports folder at a temporary directory for one test."""
    paths = {"duckdb": tmp_path / "atp.duckdb", "exports": tmp_path / "exports"}
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(paths["duckdb"]))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(paths["exports"]))
    monkeypatch.delenv("ATP_SOURCE", raising=False)
    monkeypatch.delenv("ATP_LOCAL_DIR", raising=False)
    return paths
