"""The streaming fixed-width parser: identical rows to the old parser on the whole bundle, exact
record numbers, and the same verdict as the old parser (load, or the same error) on every
single-character corruption of a record. Old parser: ``tests/reference_fixed_width.py``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.census.fixed_width import _exact_checks, _fast_checks, _slices, _typed_columns, parse_fixed_width
from orchestration.census.layouts import CONCORD, CONCORDANCE_LAYOUTS, COUNTRY, EXPORT_HISTORY, SCHEDULE_B, Layout
from orchestration.census.parse import CensusLayoutError
from tests.conftest import SAMPLE_DIR
from tests.reference_fixed_width import reference_parse_fixed_width
from tests.test_parse import HISTORY_DOMESTIC, HISTORY_FOREIGN
from tests.tiny_input import concord, schedule_b

BUNDLE_FILES = sorted(
    [(p, EXPORT_HISTORY) for p in SAMPLE_DIR.glob("*/EXP_HIST.TXT")]
    + [(p, COUNTRY) for p in SAMPLE_DIR.glob("*/COUNTRY.TXT")]
    + [(p, CONCORDANCE_LAYOUTS) for p in SAMPLE_DIR.glob("*/CONCORD.TXT")]
    + [(p, CONCORDANCE_LAYOUTS) for p in SAMPLE_DIR.glob("*/exp-code.txt")],
    key=lambda item: str(item[0]),
)


def _rows(parse, path: Path, layout) -> list[tuple]:
    con = duckdb.connect()
    parse(con, path, path.relative_to(SAMPLE_DIR).as_posix(), layout, "t")
    return con.execute("select * from t order by source_record").fetchall()


def test_every_bundle_file_parses_to_the_old_parsers_rows() -> None:
    assert len(BUNDLE_FILES) == 72  # 24 years x (history, country list, concordance)
    for path, layout in BUNDLE_FILES:
        new, old = _rows(parse_fixed_width, path, layout), _rows(reference_parse_fixed_width, path, layout)
        assert new == old, path
        assert [r[-1] for r in new] == list(range(1, len(new) + 1)), path  # source_record is the line


def test_record_numbers_follow_the_file_across_empty_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "EXP_HIST.TXT"
    path.write_bytes((HISTORY_DOMESTIC + "\r\n\r\n" + HISTORY_FOREIGN + "\r\n").encode())
    with pytest.raises(CensusLayoutError, match=r"record 2, field record length: record has 0 characters"):
        parse_fixed_width(duckdb.connect(), path, "x", EXPORT_HISTORY, "t")
    path.write_bytes("".join(f"{HISTORY_FOREIGN}\n" for _ in range(5000)).encode() + b"\n")
    with pytest.raises(CensusLayoutError, match=r"record 5001, field record length: record has 0 characters"):
        parse_fixed_width(duckdb.connect(), path, "x", EXPORT_HISTORY, "t")


@pytest.mark.parametrize(
    ("layout", "good"),
    [
        (EXPORT_HISTORY, HISTORY_DOMESTIC),
        (EXPORT_HISTORY, HISTORY_FOREIGN),
        (CONCORD, concord("8542310000", "05")),
        (SCHEDULE_B, schedule_b("8542310000", "05")),
        (COUNTRY, "5700CH     " + "China".ljust(30) + "0708091011"),
    ],
    ids=["history DF1", "history DF2", "CONCORD.TXT", "exp-code.txt", "COUNTRY.TXT"],
)
def test_fast_checks_reject_exactly_what_the_census_rules_reject(layout: Layout, good: str) -> None:
    # every position of a good record, replaced by characters DuckDB's number cast tolerates
    # (+ - . e _ x, tab, blank) and by plain wrong ones (a letter, a digit): the cheap checks the
    # loader runs while inserting must flag a record exactly when the per-field rules find a problem
    records = [good[:i] + c + good[i + 1 :] for i in range(len(good)) for c in "+-.e_x\t A7"]
    con = duckdb.connect()
    con.execute("create temp table lines (line varchar)")
    con.executemany("insert into lines values (?)", [[r] for r in records])
    exact = _exact_checks(layout)
    problem = "case " + " ".join(f"when {c} then {i}" for i, (_, c, _) in enumerate(exact)) + " end"
    rows = con.execute(
        f"select line, {' or '.join(_fast_checks(layout))} as suspect, ({problem}) is not null as bad "
        f"from (select *, {_typed_columns(layout)} from (select line, {_slices(layout)} from lines))"
    ).fetchall()
    assert [line for line, suspect, bad in rows if suspect != bad] == []
    assert {bad for _, _, bad in rows} == {True, False}


def test_a_bad_record_gets_the_old_parsers_error(tmp_path: Path) -> None:
    path = tmp_path / "EXP_HIST.TXT"
    for position, char in ((1, "4"), (14, "+"), (19, "2"), (40, "e"), (70, "."), (3, " ")):
        bad = HISTORY_DOMESTIC[: position - 1] + char + HISTORY_DOMESTIC[position:]
        path.write_text(HISTORY_FOREIGN + "\r\n" + bad + "\r\n", newline="")
        errors = []
        for parse in (parse_fixed_width, reference_parse_fixed_width):
            with pytest.raises(CensusLayoutError) as error:
                parse(duckdb.connect(), path, "f", EXPORT_HISTORY, "t")
            errors.append((error.value.record, error.value.field, error.value.value, error.value.reason))
        assert errors[0] == errors[1] and errors[0][0] == 2, (position, char, errors)
    # a control character (a tab, a NUL) is refused wherever it is, text fields included (the old
    # parser let one through in a description)
    for position, char in ((119, "\t"), (2, "\x00")):
        bad = HISTORY_DOMESTIC[: position - 1] + char + HISTORY_DOMESTIC[position:]
        path.write_text(HISTORY_FOREIGN + "\r\n" + bad + "\r\n", newline="")
        with pytest.raises(CensusLayoutError, match=rf"^f, record 2, field position {position}: a control character"):
            parse_fixed_width(duckdb.connect(), path, "f", EXPORT_HISTORY, "t")


def test_lf_crlf_and_mixed_line_ends_give_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "EXP_HIST.TXT"
    rows = []
    for ends in (("\r\n", "\r\n", "\r\n"), ("\n", "\n", "\n"), ("\n", "\r\n", "\n"), ("\r\n", "\n", "")):
        records = (HISTORY_DOMESTIC, HISTORY_FOREIGN, HISTORY_DOMESTIC)
        path.write_bytes("".join(r + e for r, e in zip(records, ends, strict=True)).encode())
        con = duckdb.connect()
        assert parse_fixed_width(con, path, "x", EXPORT_HISTORY, "t") == 3
        rows.append(con.execute("select * from t order by source_record").fetchall())
    assert rows[1:] == rows[:1] * 3


def test_a_file_that_is_not_lines_of_text_fails_with_its_name_and_size(tmp_path: Path) -> None:
    path = tmp_path / "EXP_HIST.TXT"
    path.write_bytes(b"1" * (3 << 20))  # 3 MiB without a line end: over the 1 MiB record limit
    with pytest.raises(CensusLayoutError) as error:
        parse_fixed_width(duckdb.connect(), path, "2008/EXP_HIST.TXT", EXPORT_HISTORY, "t")
    assert error.value.source_file == "2008/EXP_HIST.TXT" and error.value.value == "3,145,728 bytes"
    assert "cannot be read as lines of text (a record over 1,048,576 bytes" in error.value.reason
