"""Writing files so that a crash or a full disk never leaves half of one behind: each file is
written to a temporary name beside its target, flushed to disk, and renamed over it.

Only a regular file is ever replaced (never a folder, a named pipe, a device or a symbolic
link), only with ``force``, and it keeps its permissions. Errors name the file the user gave,
never the temporary one. A temporary file left behind by a process that was killed is removed
the next time the same file is written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from tracker.errors import Conflict, InvalidInput, MouError

_KINDS = {
    stat.S_ISDIR: "a folder",
    stat.S_ISFIFO: "a named pipe",
    stat.S_ISCHR: "a device",
    stat.S_ISBLK: "a device",
    stat.S_ISSOCK: "a socket",
}


def check_target(target: Path, *, force: bool, option: str = "--out") -> None:
    """Refuse, in one line naming ``option``, a target that may not be written: anything but
    a regular file, or an existing file without ``force``."""
    try:
        status = target.lstat()
    except FileNotFoundError:
        folder = target.parent
        if not folder.is_dir():
            raise InvalidInput(f"{option}: the folder {folder} does not exist") from None
        return
    except OSError as error:
        raise InvalidInput(f"{option}: cannot use {target}: {error.strerror}") from None
    if stat.S_ISLNK(status.st_mode):
        raise InvalidInput(
            f"{option}: {target} is a symbolic link; give the path of the file itself"
        )
    for test, kind in _KINDS.items():
        if test(status.st_mode):
            raise InvalidInput(
                f"{option}: {target} is {kind}; mou writes only to a new or a regular file"
            )
    if not force:
        raise Conflict(f"{option}: {target} already exists; use --force to replace it")


def write_files(files: dict[Path, bytes]) -> None:
    """Write every file, or (on any failure) none of the new ones: all are written to
    temporary names first and renamed only when all are complete."""
    written: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            written.append((_write_temporary(target, data), target))
    except _Failed as failed:
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)
        raise MouError(f"could not write {failed.target}: {failed.reason}") from None
    for temporary, target in written:
        temporary.replace(target)


def write_file(target: Path, data: bytes) -> None:
    write_files({target: data})


class _Failed(Exception):
    def __init__(self, target: Path, reason: str) -> None:
        self.target = target
        self.reason = reason


def _umask() -> int:
    current = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(current)
    return current


def temporary_name(target: Path) -> Path:
    """A name beside ``target`` that says which process is writing it."""
    return target.with_name(f".{target.name}.mou-{os.getpid()}-{secrets.token_hex(4)}.tmp")


def remove_stale_temporaries(target: Path) -> None:
    """Temporary files of ``target`` whose writer no longer runs (killed half way)."""
    for candidate in target.parent.glob(f".{target.name}.mou-*-*.tmp"):
        pid_text = candidate.name.rsplit(".mou-", 1)[1].split("-", 1)[0]
        if not pid_text.isdigit() or _running(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            candidate.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _mode_for(target: Path) -> int:
    """A replaced file keeps its permissions; a new one gets those of any new file under the
    user's umask (mkstemp alone would make every report private)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _write_temporary(target: Path, data: bytes) -> Path:
    remove_stale_temporaries(target)
    name = temporary_name(target)
    try:
        handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise _Failed(target, error.strerror or "cannot create it") from None
    try:
        os.fchmod(handle, _mode_for(target))
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as error:
        with contextlib.suppress(OSError):
            name.unlink()
        raise _Failed(target, error.strerror or "write failed") from None
    return name
