"""Writing files so that a crash or a full disk never leaves half of one behind: each file is
written to a temporary name beside its target, flushed to disk, and renamed over it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from tracker.errors import MouError


def write_files(files: dict[Path, bytes]) -> None:
    """Write every file, or (on any failure) none of the new ones: all are written to
    temporary names first and renamed only when all are complete."""
    written: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            written.append((_write_temporary(target, data), target))
    except OSError as error:
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)
        raise MouError(
            f"could not write {error.filename or 'the output'}: {error.strerror}"
        ) from None
    for temporary, target in written:
        temporary.replace(target)


def _umask() -> int:
    current = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(current)
    return current


def write_file(target: Path, data: bytes) -> None:
    write_files({target: data})


def _write_temporary(target: Path, data: bytes) -> Path:
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        # mkstemp makes the file private (0600); a report is meant to be shared, so it gets
        # the permissions any new file would under the user's umask.
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if error.filename is None:
            error.filename = str(target)
        raise
    return temporary
