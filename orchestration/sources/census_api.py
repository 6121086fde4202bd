"""The Census International Trade API (``exports/hitech``, ``exports/hs`` and their import twins
``imports/hitech``, ``imports/hs``): requests and the validation of responses before they are
landed. Parsing landed tables into the raw schema is
:mod:`orchestration.census.api_tables`.

Source: U.S. Census Bureau, "International Trade API" (api.census.gov/data/timeseries/intltrade),
endpoints ``exports/hitech`` (ATP group x country, monthly) and ``exports/hs`` (commodity x
country). Responses are JSON arrays of arrays, header first, every value a string; ``time``
and predicate variables are appended as columns. ``ALL_VAL_YR`` is year to date: the annual
value is the December row, never a sum of year-to-date values.

"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import requests

from orchestration.census.api_tables import ApiTableError, check_api_table
from orchestration.sources.http import SourceError, get, prepared_url, redact, status_error
from orchestration.sources.landing import land_bytes, read_manifest

HITECH_FIELDS = ("CTY_CODE", "CTY_NAME", "HITECH", "HITECH_DESC", "ALL_VAL_MO", "ALL_VAL_YR")
HS_FIELDS = ("E_COMMODITY", "CTY_CODE", "CTY_NAME", "ALL_VAL_YR")
#: The import twins: ``imports/hitech`` and ``imports/hs`` (general imports, customs value).
IMPORTS_HITECH_FIELDS = ("CTY_CODE", "CTY_NAME", "HITECH", "HITECH_DESC", "GEN_VAL_MO", "GEN_VAL_YR")
IMPORTS_HS_FIELDS = ("I_COMMODITY", "CTY_CODE", "CTY_NAME", "GEN_VAL_YR")
#: Columns the API appends for predicates; anything else in a header is unexpected.
PREDICATE_COLUMNS = frozenset(
    {"time", "COMM_LVL", "SUMMARY_LVL", "DF", "E_COMMODITY", "I_COMMODITY", "CTY_CODE", "HITECH"}
)


def validate_payload(payload: object, expected: Sequence[str], *, source: str, year: int, url: str) -> list[str]:
    """Check an API answer before it is landed (:func:`orchestration.census.api_tables.check_api_table`,
    the loader's own check, with the API's :data:`PREDICATE_COLUMNS` allowed beside ``expected``);
    return the header. Raises :class:`SourceError` naming source, year and URL, and the record
    for a bad row."""
    try:
        return check_api_table(payload, expected, extra=PREDICATE_COLUMNS)
    except ApiTableError as error:
        where = f"record {error.record}: " if error.record > 1 else ""
        raise SourceError(source, year, url, f"{where}{error.message}") from None


def fetch_table(
    session: requests.Session,
    url: str,
    params: dict,
    root: Path,
    relative: str,
    expected: Sequence[str],
    *,
    year: int,
    force: bool,
    timeout: float,
    secret: str | None,
    allow_empty: bool = False,
    source: str = "census",
) -> tuple[Path, bool]:
    """Fetch one API table and land it as JSON at ``root/relative``, unless already landed.

    The response is validated before anything is written: a malformed or unexpected response
    never replaces a landed copy. With ``allow_empty`` an HTTP 204 lands a header-only table
    (a chunk of codes nobody exported); otherwise 204 is an error. Returns (path, downloaded).
    Raises :class:`SourceError` naming year and URL (key redacted).
    """
    target = root / relative
    if target.is_file() and relative in read_manifest(root) and not force:
        return target, False
    query = dict(params)
    if secret:
        query["key"] = secret
    shown = redact(prepared_url(url, query), secret)
    response = get(session, url, source=source, year=year, params=query, timeout=timeout, secret=secret)
    if response.status_code == 204 and allow_empty:
        land_bytes(root, relative, json.dumps([list(expected)]).encode(), url=shown, status=204)
        return target, True
    if response.status_code != 200:
        raise status_error(response, source=source, year=year, shown_url=shown, secret=secret)
    if "html" in response.headers.get("Content-Type", "").lower() or response.text.lstrip().startswith("<"):
        raise SourceError(source, year, shown, "the API answered with an HTML page (missing or invalid API key?)")
    try:
        payload = response.json()
    except ValueError as error:
        raise SourceError(source, year, shown, f"malformed JSON: {error}") from None
    validate_payload(payload, expected, source=source, year=year, url=shown)
    land_bytes(
        root,
        relative,
        json.dumps(payload).encode(),
        url=shown,
        status=200,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )
    return target, True


def hitech_params(year: int, fields: Sequence[str] = HITECH_FIELDS) -> dict:
    """Query of ``exports/hitech`` (or, with :data:`IMPORTS_HITECH_FIELDS`, ``imports/hitech``):
    every month of ``year``, all countries and ATP groups."""
    return {"get": ",".join(fields), "time": f"from {year}-01 to {year}-12"}


def hs_params(year: int, codes: Sequence[str], df_code: str) -> dict:
    """Query of ``exports/hs``: December year-to-date, HS10 detail only, one DF, some codes."""
    return {
        "get": ",".join(HS_FIELDS),
        "time": f"{year}-12",
        "COMM_LVL": "HS10",
        "SUMMARY_LVL": "DET",
        "DF": df_code,
        "E_COMMODITY": list(codes),
    }


def imports_hs_params(year: int, codes: Sequence[str]) -> dict:
    """Query of ``imports/hs``: general imports, December year-to-date, HS10 detail only, some
    codes (``I_COMMODITY``; imports have no DF)."""
    return {
        "get": ",".join(IMPORTS_HS_FIELDS),
        "time": f"{year}-12",
        "COMM_LVL": "HS10",
        "SUMMARY_LVL": "DET",
        "I_COMMODITY": list(codes),
    }
