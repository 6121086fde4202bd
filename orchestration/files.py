"""Plain file helpers shared by the product: one atomic writer (every figure, the lineage, an
``atp sql --output``, every landed download and the landing manifest) and one sha256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def file_mode(target: Path) -> int:
    """Mode of a written file: the mode ``target`` already has, else ``0666 & ~umask`` (what
    ``open()`` gives a new file; not mkstemp's 0600)."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(
    target: Path, write: Callable[[Path], object], validate: Callable[[Path], object] | None = None
) -> None:
    """Call ``write`` on a temporary file beside ``target``, then ``validate`` on it (which raises
    to refuse it), give it the mode a new file gets (:func:`file_mode`; the target's own mode when
    it exists), then rename it over ``target``. On any error (a refused file included) the
    temporary file is removed and ``target`` is left as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temp))
        if validate is not None:
            validate(Path(temp))
        os.chmod(temp, file_mode(target))
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and flush it to the disk (``fsync``) before returning."""
    with path.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def write_text_file(target: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``target`` atomically (:func:`atomic_write`)."""
    atomic_write(target, lambda path: path.write_text(text, encoding="utf-8"))


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
