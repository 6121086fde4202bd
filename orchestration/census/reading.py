"""What a reader of input files returns (:class:`ReadInfo`) and the signature every reader has
(:data:`Reader`): the contract between the raw tables (:mod:`orchestration.census.tables`), their
readers (fixed width, the country table, the API tables) and the loader
(:mod:`orchestration.census.load`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class ReadInfo:
    """What a reader found: records per file (relative path), aggregate rows it dropped by kind
    (API tables), and each file's vintage (``YYYY-MM``, the last month with data) where known.

    A reader whose ``target`` is a view that checks records as it is read (fixed width) sets
    ``diagnose``: called after the view failed with a bad-record error, it raises the exact
    :class:`CensusLayoutError` of the first bad record (or makes the view check-free when the
    records turn out good). ``temp_tables`` are dropped by the loader when it is done.
    """

    file_records: dict[str, int]
    dropped: dict[str, int] = field(default_factory=dict)
    vintage: dict[str, str] = field(default_factory=dict)
    diagnose: Callable[[], None] | None = None
    temp_tables: tuple[str, ...] = ()


#: ``read(con, root, relative paths, year or None, target) -> ReadInfo``. A reader makes ``target``
#: a TEMP table or view with some of its table's columns plus ``source_file`` and
#: ``source_record`` (and ``year`` for a table whose file holds many years) and raises
#: ``CensusLayoutError`` naming file, record, field and value for a bad record.
Reader = Callable[[duckdb.DuckDBPyConnection, Path, Sequence[str], int | None, str], ReadInfo]
