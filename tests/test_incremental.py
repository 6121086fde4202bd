"""Year-incremental marts equal a full rebuild (issue 21): after a full build of the tiny input
with both flows (2010-2011), a revised 2011 whose import list moves a code between groups is
refreshed alone, then 2010 alone, and every mart (md5 of all its ordered rows, both flows) equals
a full build of the same raw tables in another warehouse file. Which build rebuilt what is read
from dbt's own record of the invocation. A revised middle year of a longer history: the bundle's
2012, tests/test_bundled_build.py."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_settings import RUN_TARGET_PATH
from orchestration.project import dbt_project
from tests.reference_dumps import every_row_digests
from tests.test_end_to_end import run_job
from tests.tiny_input import history
from tests.tiny_trade_input import write_tiny_trade_input


def _run(root: Path, folder: Path, monkeypatch: pytest.MonkeyPatch, first: int, last: int, **config) -> dict:
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(folder / "atp.duckdb"))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(folder / "exports"))
    monkeypatch.setenv("ATP_SOURCE", "local")
    monkeypatch.setenv("ATP_LOCAL_DIR", str(root))
    from orchestration.run_config import dbt_run_config

    result = run_job(first, last, {"ops": dbt_run_config(**config)} if config else None)
    assert result.success
    # dbt's record of the build it ran: its vars and whether it was a full refresh
    invocation = json.loads((dbt_project.project_dir / RUN_TARGET_PATH / "run_results.json").read_text())["args"]
    return {
        "refresh_years": json.loads(invocation["vars"])["refresh_years"]
        if isinstance(invocation["vars"], str)
        else invocation["vars"]["refresh_years"],
        "full_refresh": invocation.get("full_refresh", False),
    }


def _revise_2011(root: Path) -> None:
    """A revision of 2011: China's 05 exports grow by 1,000 USD (and the published world ATP
    exports with them), and the 2011 import list moves 3002200000 from 01 to 02 (a code changing
    group in the refreshed year)."""
    history_file = root / "2011" / "EXP_HIST.TXT"
    history_file.write_text(
        history_file.read_text() + history("1", "8542310000", "5700", "27", 11, 2011, 1000) + "\r\n"
    )
    imports_list = root / "2011" / "imp-code.txt"
    lines = imports_list.read_bytes().split(b"\r\n")
    imports_list.write_bytes(
        b"\r\n".join(line[:276] + b"02" if line.startswith(b"3002200000") else line for line in lines)
    )
    # and the published 0007 EYR of 2011 with it: 6,500 + 1,000 USD
    table = root / "country_trade" / "country_trade.csv"
    table.write_text(
        "\n".join(
            line.replace(",0.0065,0.0065", ",0.0075,0.0075") if line.startswith("2011,0007,") else line
            for line in table.read_text().split("\n")
        )
    )
    # the revised files stay synthetic (hand-made): their manifest entries take the new sha256
    manifest = json.loads((root / "manifest.json").read_text())
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256((root / entry["path"]).read_bytes()).hexdigest()
    (root / "manifest.json").write_text(json.dumps(manifest))


def test_refreshed_years_equal_a_full_rebuild(tmp_path: Path, dbt_manifest: Path, monkeypatch) -> None:
    root = write_tiny_trade_input(tmp_path / "input")
    assert _run(root, tmp_path / "incremental", monkeypatch, 2010, 2011)["full_refresh"]
    _revise_2011(root)
    refreshed = _run(root, tmp_path / "incremental", monkeypatch, 2011, 2011)
    assert refreshed == {"refresh_years": [2011], "full_refresh": False}
    assert _run(root, tmp_path / "incremental", monkeypatch, 2010, 2010) == {
        "refresh_years": [2010],
        "full_refresh": False,
    }
    assert _run(root, tmp_path / "full", monkeypatch, 2010, 2011)["full_refresh"]
    incremental = every_row_digests(tmp_path / "incremental" / "atp.duckdb")
    full = every_row_digests(tmp_path / "full" / "atp.duckdb")
    assert incremental == full
    # both flows are compared: the import rows of fct_atp_trade are there, 3002200000 in group 02 in 2011
    with duckdb.connect(str(tmp_path / "incremental" / "atp.duckdb"), read_only=True) as con:
        groups = con.execute(
            "select distinct hitech_code from int_trade_by_code where trade_flow = 'imports' and year = 2011 "
            "and hs10_code = '3002200000'"
        ).fetchall()
    assert groups == [("02",)]
    # the revision is in the marts: China 2011 05 exports = 2200 + 1000
    with duckdb.connect(str(tmp_path / "incremental" / "atp.duckdb"), read_only=True) as con:
        assert con.execute(
            "select value_usd from fct_atp_trade where trade_flow = 'exports' and year = 2011 "
            "and cty_code = '5700' and hitech_code = '05'"
        ).fetchone() == (3200,)


def test_a_full_rebuild_is_one_setting_away(tmp_path: Path, dbt_manifest: Path, monkeypatch) -> None:
    root = write_tiny_trade_input(tmp_path / "input")
    _run(root, tmp_path / "w", monkeypatch, 2010, 2011)
    assert _run(root, tmp_path / "w", monkeypatch, 2011, 2011, full_rebuild=True)["full_refresh"]
    # a changed setting (the reclassification threshold) rebuilds in full by itself
    assert _run(root, tmp_path / "w", monkeypatch, 2011, 2011, max_unlinked_value_share=0.5)["full_refresh"]
    assert not _run(root, tmp_path / "w", monkeypatch, 2011, 2011, max_unlinked_value_share=0.5)["full_refresh"]
