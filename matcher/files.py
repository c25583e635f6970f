"""Files replaced whole: after a crash (a killed process or a power cut) a file holds its old
bytes or its new ones, never part of them. Used for the index files, the lexical snapshot's
config and the keys file."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: Path, data: bytes, private: bool = False) -> None:
    """Replace `path` by `data` (readable by its owner alone if `private`, whatever the umask).

    The temporary file beside it is per process (`<name>.<pid>.tmp`): two API workers may save
    at once, and with one shared name the second rename found nothing (a committed write
    answered 500).
    """
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o666)
        if private:
            os.fchmod(fd, 0o600)
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sync_directory(directory: Path) -> None:
    """Make the renames in a directory durable (a power cut, not only a killed process)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
