"""Settings are data: every string a user gives (run config in the Launchpad, ``atp`` options,
``--set KEY=VALUE``) is checked here against what it may be before anything uses it, and reaches
DuckDB, dbt and HTTP as a typed value (a connection setting, a bound parameter, a JSON ``--vars``
value, a URL), never inside SQL text.

Each check raises :class:`SettingError` (a ``ValueError``) whose message is one line: the
setting, the value refused, and what is valid. The pydantic validators of the resources
(:mod:`orchestration.resources`) and the console's ``--set`` call these functions, so the Launchpad
and the console refuse the same values with the same words.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

#: A DuckDB memory size: a number and a unit (DuckDB's own units; case is ignored).
SIZE = re.compile(r"(?i)\d+(?:\.\d+)?\s*(?:B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")
#: Characters no path or URL of this product may hold: quotes, a semicolon, control characters.
FORBIDDEN = re.compile(r"['\";\x00-\x1f\x7f]")


class SettingError(ValueError):
    """A setting's value is refused; ``setting`` names it, ``message`` (one line) says what is
    valid; the error reads ``<setting>: <message>``."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def check_size(setting: str, value: str) -> str:
    """A memory size such as ``512MB`` or ``4GiB`` (DuckDB's ``memory_limit``); returns it."""
    if not SIZE.fullmatch(value.strip()):
        raise SettingError(
            setting, f"{_shown(value)} is not a memory size: give a number and a unit, e.g. 512MB or 4GB"
        )
    return value.strip()


#: Bytes per unit of :data:`SIZE` (DuckDB's: KB, MB, GB, TB are powers of 1000, KiB... of 1024).
UNIT_BYTES = {
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


def size_bytes(setting: str, value: str) -> int:
    """The bytes of a memory size such as ``1GB`` (10**9) or ``1GiB`` (2**30), DuckDB's units.
    Raises :class:`SettingError` naming ``setting`` when ``value`` is not a size."""
    size = check_size(setting, value)
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([A-Za-z]+)", size).groups()
    return int(float(number) * UNIT_BYTES[unit.lower()])


def check_choice(setting: str, value: str, choices: tuple[str, ...], allow_empty: bool = True) -> str:
    """One of ``choices`` (or empty when ``allow_empty``: the default applies); returns it."""
    if (value == "" and allow_empty) or value in choices:
        return value
    raise SettingError(setting, f"{_shown(value)} is not one of {', '.join(choices)}")


def check_path(setting: str, value: str) -> str:
    """A file or folder path (empty: the default applies): no quote, semicolon or control
    character (none of which a path of this product needs); returns it."""
    if FORBIDDEN.search(value):
        raise SettingError(setting, f"{_shown(value)}: a path may not hold quotes, semicolons or control characters")
    return value


def check_url(setting: str, value: str, needs_year: bool = False, allow_empty: bool = False) -> str:
    """An http(s) URL with a host and no quote, semicolon, space or control character; with
    ``needs_year`` it must hold ``{year}`` (and no other placeholder). Returns it."""
    if value == "" and allow_empty:
        return value
    parts = urlsplit(value)
    problem = None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problem = "is not an http(s) URL with a host"
    elif FORBIDDEN.search(value) or " " in value:
        problem = "a URL may not hold quotes, semicolons, spaces or control characters"
    elif needs_year and "{year}" not in value:
        problem = "a URL template must hold {year}"
    elif re.search(r"\{(?!year\})", value):
        problem = "the only placeholder is {year}"
    if problem:
        raise SettingError(
            setting, f"{_shown(value)}: {problem}, e.g. https://www.census.gov/.../{{year}}/exp-code.txt"
        )
    return value


def check_url_list(setting: str, value: str) -> str:
    """Comma-separated URL templates (each as :func:`check_url` with ``{year}``); empty is none."""
    for item in (part.strip() for part in value.split(",")):
        if item:
            check_url(setting, item, needs_year=True)
    return value


def convert(setting: str, value: str, kind: type) -> object:
    """A ``--set`` text converted to the setting's type (int, float, bool or str); a text that is
    not one names the setting and the type."""
    if kind is bool:
        if value.lower() in ("true", "1", "yes"):
            return True
        if value.lower() in ("false", "0", "no"):
            return False
        raise SettingError(setting, f"{_shown(value)} is not true or false")
    if kind in (int, float):
        noun = "a whole number" if kind is int else "a finite number"
        try:
            number = kind(value)
        except ValueError:
            raise SettingError(setting, f"{_shown(value)} is not {noun}") from None
        if not math.isfinite(number):  # float("inf"), float("nan")
            raise SettingError(setting, f"{_shown(value)} is not {noun}")
        return number
    return value
