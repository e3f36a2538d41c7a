"""Output files written atomically: a temporary file beside the target, renamed over it only on success."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from dti_cli.errors import UsageError


def check_target(target: str | Path) -> Path:
    """The directory an output file goes in: it must exist, and the target must not be a directory itself."""
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError("files.no_dir", path=str(target), directory=str(directory))
    if target.is_dir():
        raise UsageError("files.is_dir", path=str(target))
    return directory


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success its content becomes `target`'s, on error it is removed.

    A regular file (or none yet) is replaced by renaming the temporary file, written beside it, over it, keeping an
    existing file's permissions and, where allowed, its owner. A symbolic link is followed: the file it points to is
    written. Anything else that exists (a device such as /dev/null, a FIFO) is written into, as a shell's `>` would:
    renaming over it would replace it with a regular file."""
    target = Path(os.path.realpath(target)) if os.path.islink(target) else Path(target)
    directory = check_target(target)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    special = st is not None and not stat.S_ISREG(st.st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=None if special else directory)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask if st is None or special else stat.S_IMODE(st.st_mode))
    try:
        yield tmp_path
        if special:
            with open(tmp_path, "rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            tmp_path.unlink()
            return
        if st is not None:
            with contextlib.suppress(OSError):  # keep the owner when allowed (root, or the owner's own group)
                os.chown(tmp_path, st.st_uid, st.st_gid)
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_atomic(target: str | Path, content: str | bytes) -> None:
    """Write text (UTF-8) or bytes to `target` atomically."""
    with atomic_path(target) as tmp:
        if isinstance(content, str):
            tmp.write_text(content, encoding="utf-8")
        else:
            tmp.write_bytes(content)
