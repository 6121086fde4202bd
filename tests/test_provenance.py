"""One origin vocabulary (census, synthetic, unverified) from the load to what readers see: the
console's origin lines, the chart captions, the raw assets' ``data_origin`` metadata."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from orchestration.census.load import load_table
from orchestration.census.tables import (
    ATP_CONCORDANCE_TABLE,
    COUNTRIES_TABLE,
    COUNTRY_TRADE_TABLE,
    EXPORT_HISTORY_TABLE,
)
from orchestration.provenance import CENSUS_CAPTION, caption, describe_origins, inputs_origin, origin_lines
from tests.tiny_input import write_tiny_input

TABLES = (EXPORT_HISTORY_TABLE, ATP_CONCORDANCE_TABLE, COUNTRIES_TABLE, COUNTRY_TRADE_TABLE)


def _reorder_2011_history(root: Path) -> str:
    """Swap the first two records of 2011/EXP_HIST.TXT (same data, other bytes); its new sha256."""
    path = root / "2011" / "EXP_HIST.TXT"
    records = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([records[1], records[0], *records[2:]]))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(root: Path, path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    for table in TABLES:
        load_table(con, root, table, [2010, 2011])
    return con


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    return write_tiny_input(tmp_path / "input")


def test_an_unverified_file_shows_in_the_origin_lines_and_the_caption(tiny: Path, tmp_path: Path) -> None:
    expected = json.loads((tiny / "manifest.json").read_text())["files"]
    (entry,) = [f for f in expected if f["path"] == "2011/EXP_HIST.TXT"]
    new = _reorder_2011_history(tiny)
    with _load(tiny, tmp_path / "w.duckdb") as con:
        lines = origin_lines(con)
        caption_2011 = caption(con, [2011])
        caption_2010 = caption(con, [2010])
        assert inputs_origin(con, [2011]) == "synthetic"  # its lists are synthetic, its history unverified
    assert lines == [
        "ATP list: SYNTHETIC 2010-2011",
        "country list: SYNTHETIC 2010-2011",
        "country table: Census 2010-2011 (country_trade/country_trade.csv, vintage 2011-12)",
        "export history: SYNTHETIC 2010; UNVERIFIED 2011",
        f"UNVERIFIED: 2011/EXP_HIST.TXT differs from its manifest entry (sha256 {new[:12]}... expected "
        f"{entry['sha256'][:12]}...): loaded as unverified",
    ]
    assert caption_2011 == (
        "Data: SYNTHETIC sample in Census layouts (export values calibrated to the real Census world ATP totals), "
        "NOT Census ATP data. Real Census inputs: country table 2011. UNVERIFIED inputs (they differ from their "
        "manifest entry: not known to be Census data or the sample): export history 2011. Built by the ATP warehouse."
    )
    assert "UNVERIFIED" not in caption_2010


def test_census_inputs_with_an_unverified_file_are_not_captioned_as_census(tiny: Path, tmp_path: Path) -> None:
    # a folder of Census files whose manifest lists 2011/EXP_HIST.TXT as census, with other bytes
    (tiny / "manifest.json").write_text(
        json.dumps({"files": [{"path": "2011/EXP_HIST.TXT", "origin": "census", "sha256": "0" * 64}]})
    )
    with _load(tiny, tmp_path / "w.duckdb") as con:
        assert caption(con, [2010]) == CENSUS_CAPTION
        assert (inputs_origin(con, [2010]), inputs_origin(con, [2011]), inputs_origin(con)) == (
            "census",
            "unverified",
            "unverified",
        )
        assert caption(con, [2010, 2011]) == (
            "Data: U.S. Census Bureau, exports of Advanced Technology Products (as published), Census inputs: "
            "ATP list 2010-2011; country list 2010-2011; country table 2010-2011; export history 2010. UNVERIFIED "
            "inputs (they differ from their manifest entry: not known to be Census data or the sample): export "
            "history 2011. Built by the ATP warehouse."
        )
        assert con.execute(
            "select year, bool_or(is_synthetic) from raw.export_history group by year order by year"
        ).fetchall() == [(2010, False), (2011, False)]


def test_data_origin_metadata_names_every_origin_once() -> None:
    assert describe_origins([]) == "no file"
    assert describe_origins(["synthetic", "census", "synthetic"]) == "Census, SYNTHETIC sample (not Census data)"
    assert describe_origins(["unverified"]) == (
        "UNVERIFIED (differs from its manifest entry: not known to be Census data or the sample)"
    )
