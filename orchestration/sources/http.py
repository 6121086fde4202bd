"""HTTP for the ``census`` source: a retrying ``requests`` session, key redaction, errors that
name source, year and URL.

Retries use urllib3's ``Retry`` (429 and 5xx, with exponential backoff and ``Retry-After``);
timeouts and connection errors become :class:`SourceError`. The Census API key
(``CENSUS_API_KEY``) is sent as the ``key`` query parameter and is redacted from every message,
log line and stored URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

RETRY_STATUSES = (429, 500, 502, 503, 504)
REDACTED = "REDACTED"
_KEY_PARAM = re.compile(r"(?i)([?&]key=)[^&\s#]*")


class SourceError(RuntimeError):
    """A source could not deliver a year's data. The message names source, year and URL (with the
    API key redacted) and says why; nothing in the warehouse was changed."""

    def __init__(self, source: str, year: int | None, url: str, reason: str) -> None:
        self.source = source
        self.year = year
        self.url = url
        self.reason = reason
        where = f"{source} source, year {year}" if year is not None else f"{source} source"
        super().__init__(f"{where}, {url}: {reason}")


#: Where the Census API key comes from; its value is masked in every message, whatever the form.
API_KEY_ENV = "CENSUS_API_KEY"


def redact(text: str, secret: str | None = None) -> str:
    """``text`` with every ``key=...`` query value, and every occurrence of ``secret`` and of the
    key in ``$CENSUS_API_KEY`` (anywhere: a URL, an error body echoing it, a header), replaced by
    ``REDACTED``."""
    text = _KEY_PARAM.sub(lambda m: m.group(1) + REDACTED, text)
    for value in {secret, os.environ.get(API_KEY_ENV)}:
        if value and len(value) >= 8:  # a real key is long; a short value would mask ordinary text
            text = text.replace(value, REDACTED)
    return text


def build_session(max_retries: int = 4, backoff_factor: float = 1.0) -> requests.Session:
    """A ``requests`` session that retries GET/HEAD on connection errors, 429 and 5xx.

    Backoff between attempts is ``backoff_factor * 2 ** (attempt - 1)`` seconds (urllib3), or the
    server's ``Retry-After``. After the last attempt the final response is returned as is, so the
    caller reports its status.
    """
    retry = Retry(
        total=max_retries,
        connect=max_retries,
        read=max_retries,
        status=max_retries,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = "atp-warehouse (+https://github.com/; U.S. ATP exports warehouse)"
    return session


def prepared_url(url: str, params: Mapping[str, str | Sequence[str]] | None) -> str:
    """The full URL ``requests`` would send for ``url`` and ``params`` (repeated keys for lists)."""
    return requests.Request("GET", url, params=params).prepare().url or url


def get(
    session: requests.Session,
    url: str,
    *,
    source: str,
    year: int | None,
    params: Mapping[str, str | Sequence[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    secret: str | None = None,
) -> requests.Response:
    """GET with retries; returns the response whatever its status.

    Raises :class:`SourceError` (URL redacted) on timeout, connection failure or too many retries.
    """
    shown = redact(prepared_url(url, params), secret)
    try:
        return session.get(url, params=params, headers=headers, timeout=timeout)
    except requests.exceptions.Timeout as error:
        raise SourceError(source, year, shown, f"timed out after {timeout:g} s") from _clean(error, secret)
    except requests.exceptions.RetryError as error:
        raise SourceError(source, year, shown, "gave up after retries") from _clean(error, secret)
    except requests.exceptions.RequestException as error:
        raise SourceError(source, year, shown, f"request failed: {redact(str(error), secret)}") from _clean(
            error, secret
        )


def _clean(error: Exception, secret: str | None) -> Exception:
    """A stand-in for ``error`` whose text has the key redacted (tracebacks show causes)."""
    return RuntimeError(redact(f"{type(error).__name__}: {error}", secret))


def status_error(
    response: requests.Response, *, source: str, year: int | None, shown_url: str, secret: str | None = None
) -> SourceError:
    """The :class:`SourceError` for a non-success response (204, 4xx, 5xx after retries); the
    body is shown with the key masked (a server may echo it)."""
    status = response.status_code
    if status == 204:
        return SourceError(source, year, shown_url, "HTTP 204: no data for this query (period not published yet?)")
    body = redact(response.text.strip().replace("\n", " "), secret)[:300]
    if status in RETRY_STATUSES:
        return SourceError(source, year, shown_url, f"HTTP {status} after retries: {body or response.reason}")
    return SourceError(source, year, shown_url, f"HTTP {status}: {body or response.reason}")
