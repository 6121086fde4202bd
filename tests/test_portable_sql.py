"""The dbt models are written in portable SQL (issue 19): no DuckDB-only construct in any model
under ``dbt_project/models/``, so that the project can later build on another engine (Spark).
What has no portable spelling lives in an ``adapter.dispatch`` macro in ``dbt_project/macros/``
(a ``default__`` in portable SQL, a ``duckdb__`` only where DuckDB needs something else), and
no model tests which engine it runs on.

The check reads each model's text with its comments (SQL ``--`` and ``/* */``, Jinja ``{# #}``)
removed and its SQL string literals emptied (a literal such as ``'Schedule B list (...)'`` is
data, not a construct); Jinja expressions stay, so SQL passed to a macro as text is checked too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MODELS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "models"

#: Each construct and its pattern (case-insensitive). The list functions match as calls only: a
#: column such as ``list_rank`` is not a list function.
FORBIDDEN = {
    "qualify": r"\bqualify\b",
    "semi join": r"\bsemi\s+join\b",
    "anti join": r"\banti\s+join\b",
    "arg_min": r"\barg_min\b",
    "arg_max": r"\barg_max\b",
    "regexp_full_match": r"\bregexp_full_match\b",
    "list(": r"\blist\s*\(",
    "list_": r"\blist_\w+\s*\(",
    "as double": r"\bas\s+double\b",
    "::double": r"::\s*double\b",
    # an engine check belongs in an adapter.dispatch macro, never in a model
    "engine check (target.type)": r"\btarget\s*\.\s*type\b",
    "engine check (adapter.type())": r"\badapter\s*\.\s*type\s*\(",
}

#: Comments (removed) and SQL string literals (emptied), in one pass so that a quote inside a
#: comment or a comment marker inside a literal is read as what it is.
_COMMENT_OR_LITERAL = re.compile(r"--[^\n]*|/\*.*?\*/|\{#.*?#\}|'(?:[^']|'')*'", re.DOTALL)


def without_comments(sql: str) -> str:
    """``sql`` without its comments, its SQL string literals emptied (``''``)."""
    return _COMMENT_OR_LITERAL.sub(lambda m: "''" if m.group().startswith("'") else " ", sql)


def findings(sql: str) -> list[str]:
    """The forbidden constructs in a model's text, one entry per occurrence, in FORBIDDEN order."""
    code = without_comments(sql)
    return [name for name, pattern in FORBIDDEN.items() for _ in re.finditer(pattern, code, re.IGNORECASE)]


def model_findings(models_dir: Path = MODELS_DIR) -> dict[str, list[str]]:
    """{model path relative to ``models/``: its forbidden constructs} for every model that has one."""
    found = {}
    for path in sorted(models_dir.rglob("*.sql")):
        hits = findings(path.read_text(encoding="utf-8"))
        if hits:
            found[str(path.relative_to(models_dir))] = hits
    return found


def test_the_models_hold_no_duckdb_only_construct() -> None:
    assert sorted(MODELS_DIR.rglob("*.sql")), f"no model found under {MODELS_DIR}"
    found = model_findings()
    lines = [f"{name}: {', '.join(hits)}" for name, hits in found.items()]
    assert not found, f"{sum(map(len, found.values()))} DuckDB-only constructs in the models:\n" + "\n".join(lines)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select * from t qualify row_number() over (partition by a order by b) = 1", ["qualify"]),
        ("select * from a SEMI  JOIN b using (k)", ["semi join"]),
        ("select * from a anti\njoin b using (k)", ["anti join"]),
        ("select arg_min(a, b), ARG_MAX(a, b) from t", ["arg_min", "arg_max"]),
        ("select coalesce(regexp_full_match(c, '^[0-9]$'), false)", ["regexp_full_match"]),
        ("select list_sort(list(distinct c)) from t", ["list(", "list_"]),
        ("select list (c), list_contains(l, 1) from t", ["list(", "list_"]),
        ("select cast(a as double), b::DOUBLE from t", ["as double", "::double"]),
        ("{% if target.type == 'duckdb' %}select 1{% endif %}", ["engine check (target.type)"]),
        ("{% if adapter.type() == 'duckdb' %}select 1{% endif %}", ["engine check (adapter.type())"]),
        # comments, literals and look-alikes are not constructs
        ("-- qualify, arg_max(a, b)\nselect 1 /* semi join\n anti join */ {# list(x) #}", []),
        ("select 'a Schedule B list (<year>)' as note, list_rank, listagg(c, ',') from t", []),
        ("select 'it''s -- not a comment', a as doubled from t -- cast(a as double)", []),
        # SQL handed to a macro as Jinja text is still SQL
        ('{{ dbt.listagg("list_sort(x)") }}', ["list_"]),
    ],
)
def test_the_check_finds_each_construct_and_only_those(sql: str, expected: list[str]) -> None:
    assert findings(sql) == expected
