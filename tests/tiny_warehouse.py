"""The tiny hand-made input built into a warehouse once per test module, copied for each test
(a pytest plugin, `pytest_plugins` in conftest.py): what the publish and hardening tests start
from. Values of the tiny input are in tests/tiny_input.py."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import CANDIDATES_DIR
from tests.test_end_to_end import run_job
from tests.tiny_input import write_tiny_input


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_state(warehouse: Path, exports: Path) -> dict[str, str]:
    """sha256 of the published DuckDB file and of every exported file."""
    state = {"atp.duckdb": sha256(warehouse)}
    state.update({p.name: sha256(p) for p in sorted(exports.iterdir())})
    return state


def marts_fingerprint(warehouse: Path) -> dict[str, tuple]:
    """Row count and md5 of the ordered rows of every mart and of the raw export history (what a
    clean build and a rerun must agree on; load times excluded)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' "
                "and (table_name like 'fct_%' or table_name like 'dim_%') order by 1"
            ).fetchall()
        ]
        fingerprint = {
            name: con.execute(f"select count(*), md5(string_agg(t::varchar, '|' order by t)) from {name} t").fetchone()
            for name in tables
        }
        fingerprint["raw.export_history"] = con.execute(
            "select count(*), md5(string_agg(t::varchar, '|' order by t)) from raw.export_history t"
        ).fetchone()
    return fingerprint


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Path:
    """The tiny input and a warehouse built from it, once for the module (copied by each test)."""
    root = tmp_path_factory.mktemp("built")
    write_tiny_input(root / "input")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATP_DUCKDB_PATH", str(root / "wh" / "atp.duckdb"))
        patch.setenv("ATP_EXPORTS_DIR", str(root / "exports"))
        patch.setenv("ATP_SOURCE", "local")
        patch.setenv("ATP_LOCAL_DIR", str(root / "input"))
        assert run_job(2010, 2011).success
    return root


@pytest.fixture()
def tiny(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A copy of the built warehouse, its figures and its input, and the environment every run of
    the test uses."""
    for name in ("input", "wh", "exports"):
        shutil.copytree(built / name, tmp_path / name, copy_function=shutil.copy2)
    paths = {"input": tmp_path / "input", "duckdb": tmp_path / "wh" / "atp.duckdb", "exports": tmp_path / "exports"}
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(paths["duckdb"]))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(paths["exports"]))
    monkeypatch.setenv("ATP_SOURCE", "local")
    monkeypatch.setenv("ATP_LOCAL_DIR", str(paths["input"]))
    return paths


def candidates(warehouse: Path) -> list[Path]:
    folder = warehouse.parent / CANDIDATES_DIR
    return sorted(folder.iterdir()) if folder.exists() else []
