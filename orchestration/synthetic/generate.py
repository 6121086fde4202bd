"""Deterministic generator of the SYNTHETIC bundled sample (2000-2023), built around REAL Census
data wherever it exists.

Real inputs (read, never written): ``country_trade/country.xlsx`` (the Census "U.S. trade in
goods by country" table, vintage with data through 2024-06) and ``2019/exp-code.txt`` (the real
Census Schedule B export concordance of 2019, with the ATP group of every code).

Written, SYNTHETIC (the ATP detail by HS10 x country is not reachable without census.gov):

- ``<year>/COUNTRY.TXT``: the codes and names of the year's rows of the real country table,
  0xxx grouping codes included;
- the year's export concordance (``CONCORD.TXT`` 2000-2011, ``exp-code.txt`` 2012-2023 except
  2019, whose list is the real file): lists derived from the real 2019 list by seeded yearly
  changes and splits (:mod:`orchestration.synthetic.lists`);
- ``<year>/EXP_HIST.TXT``: monthly export records (DF 1/2, customs districts, whole USD);
- ``hs10_changes.csv``: one row per old -> new code link of the (export) splits; ``manifest.json``;
- the import side (:mod:`orchestration.synthetic.imports`): the year's HTS import list
  (``IMP_CONCORD.TXT`` 2000-2011, ``imp-code.txt`` 2012-2023 except 2019, whose list is the REAL
  Census ``imp-code.txt``) and ``<year>/IMP_HIST.TXT`` (ATP general imports, IM145 layout),
  calibrated to the real world ATP imports (0007, IYR) and drawn from random streams of their
  own, so that the export files are the same with or without them.

Calibration (asserted; :class:`AssertionError` when one fails):

- per year, the sum of ``value_usd`` over real countries (codes not starting with 0) and codes on
  that year's ATP list (groups 01-10) equals the real world ATP total (code 0007, EYR) in whole
  USD, to the dollar;
- exports to a partner (all codes) never exceed its real total exports (EYR); no record for a
  0xxx code; every record's country and code are on that year's lists; months 1-12 all occur;
- China (5700), 2000-2008, follows the USITC briefing's stylized facts within stated tolerances,
  never exactly (the tests in ``tests/test_sample_bundle.py`` check the same tolerances):

  ========================================================  ===============================
  fact (briefing)                                           tolerance
  ========================================================  ===============================
  ATP exports to China grow about 13 % a year 2000-2008     compound rate 13 % +- 1 point
  ATP to China each year on that path (with its wiggles)    +- 1 % (asserted here)
  Electronics $0.922 billion (2000) and $6.6 billion (2008) +- 1 % (asserted here)
  semiconductors (8541, 8542) about 90 % of Electronics     90 % +- 3 points (2008)
  Electronics about half of ATP to China (2008)             50 % +- 5 points
  Electronics about a quarter of ATP to the rest (2008)     25 % +- 5 points
  ========================================================  ===============================

  The noise that keeps them off exact values: China's total and Electronics carry a seeded
  jitter of at most +-0.6 % a year; China's other groups follow the anchor weights times a smooth
  seeded path (about 6 % a year); the product segments' shares of China's groups are moved by at
  most +-0.15 in logit (90 % stays within 88.5-91.3 %); the rest of the world is a sum of noisy
  partners. So no year's composition is a set of round numbers (asserted: some group share is
  not a whole number of tenths of a percent). China 2009-2023 is a SYNTHETIC extension
  (ATP to China about $12.8-32.6 billion a year, a dip in 2019-2020 and a rise after, Electronics
  the largest group), not data;
- other partners: a partner's ATP exports are its real total exports (EYR) times an "ATP
  intensity" that differs by partner and drifts smoothly (:func:`.noise.smooth_path`), its groups
  the rest-of-world composition times smooth partner weights, so partner series move with the
  real country table (no Japan x 3.5 in a year while its real exports fell);
- non-ATP exports: 40 % of what a partner's real total leaves after its ATP codes, spread over the
  1,100 codes never on the ATP list with chapter-based, capped, heavy-tailed weights
  (:mod:`orchestration.synthetic.filler`); per year at least 1,000 non-ATP codes carry value, none
  more than 2 % of the year's non-ATP total, and every code of the universe is shipped (asserted);
  a partner x code x district value is spread over one month per ``MONTH_VALUE_USD`` (scaled with
  the year's size), up to 12, so that no record carries an implausible amount;
- product facts (:data:`orchestration.synthetic.catalog.SEGMENTS`): hard disk drives heavier in
  ICT to China and computers in ICT to the rest of the world, blood fractions and human vaccines
  a larger share of Biotechnology to the rest of the world, airplanes lumpy;
- a code's value is allocated through a fixed "home" group, so a code that enters, leaves or
  moves keeps a continuous trade value (outside ATP in the years it is off the list).

Everything is seeded: the same seed gives byte-identical files. Run ``atp generate-sample``.
"""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.census.readers import CODE_CHANGE_HEADER
from orchestration.census.tables import (
    CODE_CHANGES_FILE,
    CONCORD_FILE,
    COUNTRY_LIST_FILE,
    COUNTRY_TRADE_WORKBOOK,
    EXPORT_HISTORY_FILE,
    IMPORT_CODES_FILE,
    INPUT_MANIFEST,
    SCHEDULE_B_FILE,
    input_file,
)
from orchestration.files import sha256_of
from orchestration.provenance import CENSUS, SYNTHETIC
from orchestration.synthetic.catalog import DEFAULT_SEED, FIRST_YEAR, LAST_YEAR, REAL_LIST_YEAR
from orchestration.synthetic.filler import filler_base_weights
from orchestration.synthetic.imports import IMPORT_LIST_FILES, build_import_catalog, import_files
from orchestration.synthetic.lists import build_catalog, read_real_list
from orchestration.synthetic.records import YearFiles, generate_year
from orchestration.synthetic.targets import read_country_table
from orchestration.synthetic.values import Weights

#: Where the real Census inputs of the generator are in the sample folder.
REAL_LIST_FILE = input_file(SCHEDULE_B_FILE, REAL_LIST_YEAR)
REAL_IMPORT_LIST_FILE = input_file(IMPORT_CODES_FILE, REAL_LIST_YEAR)
SYNTHETIC_NOTE = (
    "SYNTHETIC sample generated by orchestration.synthetic.generate (not Census data); built around "
    f"the real Census country table ({COUNTRY_TRADE_WORKBOOK}) and the real {REAL_LIST_YEAR} Schedule B export "
    f"concordance ({REAL_LIST_FILE}) and import concordance ({REAL_IMPORT_LIST_FILE}), calibrated to their totals"
)


def _write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\r\n" for line in lines), encoding="ascii", newline="")


def _entry(relative: str, origin: str, path: Path, records: int) -> dict[str, str]:
    """One file of the sample's ``manifest.json``: its path, origin, sha256 and record count."""
    return {"path": relative, "origin": origin, "sha256": sha256_of(path), "records": str(records)}


def generate_sample(
    sample_dir: Path, seed: int = DEFAULT_SEED, years: range = range(FIRST_YEAR, LAST_YEAR + 1)
) -> dict[str, object]:
    """Write the SYNTHETIC files of ``years`` under ``sample_dir``: ``<year>/COUNTRY.TXT``, the
    year's concordance (``CONCORD.TXT`` up to 2011, ``exp-code.txt`` from 2012, none for 2019
    whose list is the real file), ``<year>/EXP_HIST.TXT``; then ``hs10_changes.csv`` (every
    split link) and ``manifest.json`` (each file with origin ``synthetic`` or ``census``, sha256
    and record count). Values in the history are whole USD.

    Reads the real inputs ``sample_dir/country_trade/country.xlsx`` and
    ``sample_dir/2019/exp-code.txt`` (never writes them). The lists of every year are derived
    from the real 2019 list whatever ``years`` holds, so a year's files do not depend on which
    other years are written. Returns the manifest dict. Raises ``FileNotFoundError`` when a real
    input is missing, ``ValueError`` for a year outside 2000-2023 or a malformed input, and
    ``AssertionError`` when a calibration constraint fails.
    """
    if years.start < FIRST_YEAR or years.stop - 1 > LAST_YEAR or years.step != 1:
        raise ValueError(f"years must be a contiguous range inside {FIRST_YEAR}-{LAST_YEAR}, got {years}")
    real_list = read_real_list(sample_dir / REAL_LIST_FILE)
    real_import_list = read_real_list(sample_dir / REAL_IMPORT_LIST_FILE)
    import_catalog = build_import_catalog(real_import_list, seed)
    by_year = read_country_table(sample_dir / COUNTRY_TRADE_WORKBOOK)
    catalog = build_catalog(real_list, seed)
    for hs10_code, code in catalog.codes.items():  # the 2019 list of the universe is the real one
        assert not code.exists_in(REAL_LIST_YEAR) or code.hitech_in(REAL_LIST_YEAR) == real_list[hs10_code][-2:]
    never_atp = [c for c, code in catalog.codes.items() if catalog.home_group[c] is None and not code.is_synthetic]
    weights = Weights(catalog, seed, filler_base_weights(never_atp, seed))
    files: list[dict[str, str]] = []
    for year in years:
        year_files = generate_year(year, by_year[year], catalog, weights, seed)
        if year_files.concord_name is None:  # the year's list is the real file
            files.append(_entry(REAL_LIST_FILE, CENSUS, sample_dir / REAL_LIST_FILE, len(real_list)))
        files.extend(_write_year(sample_dir, year, year_files))
        if year == REAL_LIST_YEAR:
            real_import = sample_dir / REAL_IMPORT_LIST_FILE
            files.append(_entry(REAL_IMPORT_LIST_FILE, CENSUS, real_import, len(real_import_list)))
        imports = import_files(year, by_year[year], import_catalog, seed)
        files.extend(_write_outputs(sample_dir, year, imports, IMPORT_LIST_FILES))
    changes = catalog.change_rows()
    changes_path = sample_dir / CODE_CHANGES_FILE
    changes_path.write_text(
        ",".join(CODE_CHANGE_HEADER) + "\n" + "".join(f"{o},{n},{y}\n" for o, n, y in changes), encoding="ascii"
    )
    files.append(_entry(CODE_CHANGES_FILE, SYNTHETIC, changes_path, len(changes)))
    country_trade = sample_dir / COUNTRY_TRADE_WORKBOOK
    files.append(_entry(COUNTRY_TRADE_WORKBOOK, CENSUS, country_trade, sum(len(v) for v in by_year.values())))
    manifest = {
        "note": SYNTHETIC_NOTE,
        "generator": "orchestration.synthetic.generate",
        "seed": seed,
        "years": [years.start, years.stop - 1],
        "files": files,
    }
    (sample_dir / INPUT_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _write_year(sample_dir: Path, year: int, year_files: YearFiles) -> list[dict[str, str]]:
    """Write one year's SYNTHETIC export-side files (its concordance, unless the year's list is
    the real file; its country list; its export history) and return their manifest entries."""
    (sample_dir / str(year)).mkdir(parents=True, exist_ok=True)
    outputs = [
        (input_file(COUNTRY_LIST_FILE, year), year_files.country),
        (input_file(EXPORT_HISTORY_FILE, year), year_files.history),
    ]
    if year_files.concord_name is not None:
        outputs.insert(0, (f"{year}/{year_files.concord_name}", year_files.concord))
    return _write_outputs(sample_dir, year, outputs, (SCHEDULE_B_FILE, CONCORD_FILE))


def _write_outputs(
    sample_dir: Path, year: int, outputs: list[tuple[str, list[str]]], list_files: tuple[str, ...]
) -> list[dict[str, str]]:
    """Write ``outputs`` (relative path, records) as SYNTHETIC files; when one of them is a list
    of ``list_files`` (the year's two concordance layouts), remove the other layout's file left
    by an earlier run (a year without a written list, 2019, keeps its real file). Returns the
    manifest entries."""
    written = {Path(relative).name for relative, _ in outputs}
    if written & {Path(f).name for f in list_files}:
        for other in list_files:
            if Path(other).name not in written:
                (sample_dir / input_file(other, year)).unlink(missing_ok=True)
    entries = []
    for relative, lines in outputs:
        _write_lines(sample_dir / relative, lines)
        entries.append(_entry(relative, SYNTHETIC, sample_dir / relative, len(lines)))
    return entries
