"""The input folder's ``manifest.json``: which files it states are Census data and which the
SYNTHETIC sample, with their sha256; and each input file's origin
(:data:`orchestration.provenance.ORIGINS`), which comes from the manifest only when the file's
bytes match its entry (:func:`file_origin`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from orchestration.census.parse import CensusLayoutError
from orchestration.census.tables import INPUT_MANIFEST, path_key
from orchestration.provenance import CENSUS, MANIFEST_ORIGINS, UNVERIFIED


@dataclass(frozen=True)
class ManifestEntry:
    """One file of ``manifest.json``: its path as written, the origin it states (``census`` or
    ``synthetic``), its sha256 (lower-case hex; None when the entry has none) and its place in
    the manifest (``files[n]``, 1-based)."""

    path: str
    origin: str
    sha256: str | None
    number: int


_SHA256 = re.compile(r"[0-9a-f]{64}")


def read_input_manifest(input_dir: Path) -> dict[str, ManifestEntry]:
    """The entries of the input folder's ``manifest.json`` (``{"files": [{"path": ..., "origin":
    "census"|"synthetic", "sha256": ...}, ...]}``; other keys are ignored) by
    :func:`~orchestration.census.tables.path_key` of their path, so that they match files the
    way file discovery finds them; empty without a manifest.

    Raises :class:`CensusLayoutError` naming ``manifest.json`` (and the line and column of a JSON
    syntax error) when it is not that JSON, when an origin is neither ``census`` nor
    ``synthetic``, when a sha256 is not 64 hex digits, or when two entries name one file (paths
    equal but for case) with different origins or sha256s.
    """
    manifest = input_dir / INPUT_MANIFEST
    if not manifest.is_file():
        return {}
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        raw = [(f["path"], f["origin"], f.get("sha256")) for f in files]
    except json.JSONDecodeError as error:
        raise CensusLayoutError(
            "manifest.json", error.lineno, f"column {error.colno}", "", f"not JSON: {error.msg}"
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CensusLayoutError(
            "manifest.json", 0, "files", "", f'expected {{"files": [{{"path": ..., "origin": ...}}]}} ({error!r})'
        ) from None
    entries: dict[str, ManifestEntry] = {}
    for number, (path, origin, sha256) in enumerate(raw, start=1):
        if origin not in MANIFEST_ORIGINS:
            raise CensusLayoutError(
                "manifest.json",
                0,
                f"files[{number}].origin",
                str(origin),
                f"{path}: origin must be one of {MANIFEST_ORIGINS}",
            )
        if sha256 is not None and not (isinstance(sha256, str) and _SHA256.fullmatch(sha256.lower())):
            raise CensusLayoutError(
                "manifest.json", 0, f"files[{number}].sha256", str(sha256), f"{path}: not a sha256 (64 hex digits)"
            )
        entry = ManifestEntry(str(path), origin, sha256.lower() if sha256 else None, number)
        same = entries.setdefault(path_key(entry.path), entry)
        if (same.origin, same.sha256) != (entry.origin, entry.sha256):
            raise CensusLayoutError(
                "manifest.json",
                0,
                f"files[{number}].path",
                entry.path,
                f"names the same file as files[{same.number}] ({same.path}; names are matched without regard to "
                "case) with another origin or sha256",
            )
    return entries


def file_origin(relative: str, sha256: str, manifest: dict[str, ManifestEntry]) -> tuple[str, str | None]:
    """The origin of the input file ``relative`` (found by file discovery) whose bytes hash to
    ``sha256``, given the folder's manifest (:func:`read_input_manifest`), and why it is
    unverified (None otherwise):

    - no entry for the file: ``census`` (a folder of the user's own Census files has no manifest);
    - an entry whose sha256 equals the file's: the entry's origin (``census`` or ``synthetic``);
    - an entry whose sha256 differs, or that has none: ``unverified``, with one line such as
      ``2010/EXP_HIST.TXT differs from its manifest entry (sha256 ab12... expected cd34...): loaded
      as unverified``.
    """
    entry = manifest.get(path_key(relative))
    if entry is None:
        return CENSUS, None
    if entry.sha256 == sha256:
        return entry.origin, None
    named = "its manifest entry" if entry.path == relative else f"its manifest entry {entry.path}"
    if entry.sha256 is None:
        return UNVERIFIED, (
            f"{relative}: {named} (origin {entry.origin}) has no sha256 to check the file against: loaded as "
            f"{UNVERIFIED}"
        )
    return UNVERIFIED, (
        f"{relative} differs from {named} (sha256 {sha256[:12]}... expected {entry.sha256[:12]}...): loaded as "
        f"{UNVERIFIED}"
    )
