"""Write user files safely: atomically (temporary file, fsync, rename) and readable by the
user only (0600). Reports, profiles and session files all go through here."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class NotARegularFile(OSError):
    """The path exists and is a link, a device, a FIFO or a folder: never replaced."""


def refuse_non_regular(path: Path) -> None:
    """Raise :class:`NotARegularFile` when something other than a regular file is at ``path``
    (nothing there is fine); other OSErrors (permissions) pass through."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        kind = ("a symbolic link" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode)
                else "a device or pipe")
        raise NotARegularFile(f"{path} is {kind}, not a regular file: not replaced")


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Replace ``path`` with ``data`` in one step; a crash leaves the old file or none.

    Only a regular file (or nothing) is replaced: a symlink, FIFO, device (``/dev/null``) or
    folder at ``path`` raises :class:`NotARegularFile` and is left as it is.
    """
    target = Path(path).expanduser()
    refuse_non_regular(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def user_dir(kind: str, env_var: str) -> Path:
    """The user's ``data`` or ``config`` folder for smtp-wizard; ``$env_var`` overrides it."""
    override = os.environ.get(env_var)
    if override:
        return Path(override).expanduser()
    import platformdirs

    finder = platformdirs.user_config_dir if kind == "config" else platformdirs.user_data_dir
    return Path(finder("smtp-wizard"))
