"""The raw landing area: every downloaded file, written atomically, with a manifest row.

Layout: ``<landing_dir>/<source>/<year>/...`` (and ``<landing_dir>/<source>/country_trade/``),
mirroring the input folder layout so the loaders read landed files exactly like local ones. The
manifest ``<landing_dir>/<source>/manifest.jsonl`` has one JSON object per landed file: ``path``
(relative to ``<landing_dir>/<source>``), ``url`` (API key redacted), ``retrieved_at`` (UTC),
``http_status``, ``size_bytes``, ``sha256``, ``etag``, ``last_modified``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from orchestration.files import atomic_write, write_durably
from orchestration.sources.http import SourceError, get, redact, status_error

MANIFEST_NAME = "manifest.jsonl"


@dataclass(frozen=True)
class ManifestRow:
    """Provenance of one landed file."""

    path: str
    url: str
    retrieved_at: str
    http_status: int
    size_bytes: int
    sha256: str
    etag: str | None
    last_modified: str | None


def read_manifest(root: Path) -> dict[str, ManifestRow]:
    """The manifest of a source's landing folder, keyed by relative path (empty if none)."""
    path = root / MANIFEST_NAME
    if not path.is_file():
        return {}
    rows = [ManifestRow(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {row.path: row for row in rows}


def forget(root: Path, relative: str) -> None:
    """Remove ``relative``'s row from the manifest (the file itself is the caller's business)."""
    rows = read_manifest(root)
    if rows.pop(relative, None) is not None:
        _write_manifest(root, rows)


def _write_manifest(root: Path, rows: dict[str, ManifestRow]) -> None:
    lines = "".join(json.dumps(asdict(r), sort_keys=True) + "\n" for r in sorted(rows.values(), key=lambda r: r.path))
    atomic_write(root / MANIFEST_NAME, lambda path: write_durably(path, lines.encode("utf-8")))


def record(root: Path, row: ManifestRow) -> None:
    """Insert or replace ``row`` in the manifest (the manifest itself is rewritten atomically)."""
    rows = read_manifest(root)
    rows[row.path] = row
    _write_manifest(root, rows)


def land_bytes(
    root: Path,
    relative: str,
    data: bytes,
    *,
    url: str,
    status: int,
    etag: str | None = None,
    last_modified: str | None = None,
    validate: Callable[[Path], None] | None = None,
) -> ManifestRow:
    """Write ``data`` to ``root/relative`` via a temporary file (flushed to the disk, then checked
    by ``validate``, which raises to reject it) and rename (:func:`orchestration.files.atomic_write`);
    record it in the manifest."""
    atomic_write(root / relative, lambda path: write_durably(path, data), validate)
    row = ManifestRow(
        path=relative,
        url=url,
        retrieved_at=datetime.now(UTC).isoformat(timespec="seconds"),
        http_status=status,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        etag=etag,
        last_modified=last_modified,
    )
    record(root, row)
    return row


def land_url(
    session: requests.Session,
    url: str,
    root: Path,
    relative: str,
    *,
    source: str,
    year: int | None,
    force: bool = False,
    timeout: float = 60.0,
    secret: str | None = None,
    params: dict | None = None,
    validate: Callable[[Path], None] | None = None,
) -> tuple[ManifestRow, bool]:
    """Download ``url`` to ``root/relative`` unless an unchanged copy is already landed.

    An existing copy is revalidated with ``If-None-Match`` / ``If-Modified-Since`` when the server
    gave an ETag or Last-Modified, and kept on 304; without either it is kept as is. ``force``
    always downloads. Returns the manifest row and whether a new copy was written. Raises
    :class:`SourceError` for 204, 4xx, 5xx after retries, timeouts; the landed copy, if any, is
    left untouched, also when ``validate`` rejects the new copy.
    """
    known = read_manifest(root).get(relative)
    have_copy = known is not None and (root / relative).is_file()
    headers: dict[str, str] = {}
    if have_copy and not force:
        if not (known.etag or known.last_modified):
            return known, False
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
    response = get(
        session, url, source=source, year=year, params=params, headers=headers, timeout=timeout, secret=secret
    )
    shown = redact(response.url or url, secret)
    if response.status_code == 304 and have_copy:
        return known, False
    if response.status_code != 200:
        raise status_error(response, source=source, year=year, shown_url=shown, secret=secret)
    if not response.content:
        raise SourceError(source, year, shown, "HTTP 200 with an empty body")
    row = land_bytes(
        root,
        relative,
        response.content,
        url=shown,
        status=response.status_code,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        validate=validate,
    )
    return row, True
