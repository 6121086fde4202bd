"""The step lines of a run (orchestration/reporting.py) from hand-made Dagster events: the export and
the import table of the same input share one line, a failed table says so at once on its own, and
a table whose partner never ended still gets its line at the end of the run."""

from __future__ import annotations

from types import SimpleNamespace

from orchestration.reporting import StepReport, step_lines


def _start(key: str) -> SimpleNamespace:
    return SimpleNamespace(step_key=key, event_type_value="STEP_START", event_specific_data=None)


def _loaded(key: str, rows: int, years: str) -> SimpleNamespace:
    metadata = {"rows_loaded": SimpleNamespace(value=rows), "years": SimpleNamespace(value=years)}
    data = SimpleNamespace(materialization=SimpleNamespace(metadata=metadata))
    return SimpleNamespace(step_key=key, event_type_value="ASSET_MATERIALIZATION", event_specific_data=data)


def _success(key: str, ms: int) -> SimpleNamespace:
    data = SimpleNamespace(duration_ms=ms)
    return SimpleNamespace(step_key=key, event_type_value="STEP_SUCCESS", event_specific_data=data)


def _failure(key: str) -> SimpleNamespace:
    return SimpleNamespace(step_key=key, event_type_value="STEP_FAILURE", event_specific_data=None)


def _table(key: str, rows: int, years: str, ms: int) -> list[SimpleNamespace]:
    return [_start(key), _loaded(key, rows, years), _success(key, ms)]


def test_the_export_and_import_table_of_an_input_share_a_line() -> None:
    events = [
        *_table("raw__api_hitech_exports", 0, "2010, 2011", 300),
        *_table("raw__api_hitech_imports", 0, "2010, 2011", 200),
        *_table("raw__countries", 12, "2010, 2011", 100),
        *_table("raw__export_history", 1234, "2010, 2011", 1500),
        *_table("raw__import_history", 987, "2010, 2011", 1200),
        *_table("raw__atp_concordance", 40, "2010, 2011", 400),
        *_table("raw__import_concordance", 30, "2010, 2011", 500),
    ]
    assert step_lines(events) == [
        "  raw.api_hitech_exports, raw.api_hitech_imports: 0 rows (2010-2011; only the census source fills them), "
        "0.5 s",
        "  raw.countries: 12 rows (2010-2011), 0.1 s",
        "  raw.export_history: 1,234 rows, raw.import_history: 987 rows (2010-2011), 2.7 s",
        "  raw.atp_concordance: 40 rows, raw.import_concordance: 30 rows (2010-2011), 0.9 s",
    ]


def test_the_import_table_first_and_other_years_still_read_exports_then_imports() -> None:
    events = [
        *_table("raw__import_history", 5, "2011", 1000),
        *_table("raw__api_hitech_imports", 7, "2011", 100),
        *_table("raw__export_history", 9, "2010, 2011", 2000),
        *_table("raw__api_hitech_exports", 3, "2011", 100),
    ]
    assert step_lines(events) == [
        "  raw.export_history: 9 rows (2010-2011), raw.import_history: 5 rows (2011), 3.0 s",
        "  raw.api_hitech_exports: 3 rows, raw.api_hitech_imports: 7 rows (2011), 0.2 s",
    ]


def test_a_failed_table_says_so_at_once_and_its_partner_keeps_its_own_line() -> None:
    report = StepReport()
    got = [report.add(event, 100.0) for event in _table("raw__export_history", 9, "2011", 2000)]
    assert got == [[], [], []]  # it waits for raw.import_history
    assert report.add(_start("raw__import_history"), 100.0) == []
    assert report.add(_failure("raw__import_history"), 103.5) == [
        "  raw.export_history: 9 rows (2011), 2.0 s",
        "  raw__import_history: FAILED",
    ]
    assert report.finish() == []


def test_a_table_whose_partner_never_ended_gets_its_line_when_the_run_ends() -> None:
    report = StepReport()
    for event in _table("raw__atp_concordance", 40, "2011", 400):
        assert report.add(event) == []
    assert report.finish() == ["  raw.atp_concordance: 40 rows (2011), 0.4 s"]
