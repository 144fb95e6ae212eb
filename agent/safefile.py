"""Opening Vigie's files safely: regular files only, a size cap, never a hang.

Every file Vigie reads or writes (settings, phrase lists, secrets, outbox, events,
evidence, exports, logs, an image given to ``vigie scan``) may have been replaced by
something that is not a file: a device (reading ``/dev/zero`` never ends; replacing a
device node destroys it), a pipe (opening or reading it blocks for ever), a socket, a
folder, a link that loops or points nowhere, ``/`` itself.

- :func:`open_regular` opens for reading with ``O_NONBLOCK`` (a pipe never blocks the
  open), then checks ``fstat``: anything but a regular file is refused; a size cap is
  checked before a byte is read; ``inside`` refuses a link that leads out of a folder.
- :func:`read_bytes` / :func:`read_text` read it whole, at most ``cap`` bytes.
- :func:`check_target` says whether a path may be replaced or appended to: missing, or a
  regular file (through links that resolve); never a device, pipe, socket, folder, a
  dangling or looping link. :mod:`agent.atomic` calls it before every replacement.
- :func:`open_append` opens a regular file for appending (logs, events) the same way.

Every refusal is an :class:`UnsafeFile` (an ``OSError``): ``str()`` is English and
names the path, ``text(lang)`` says it in the user's language. Pure file operations,
callable from any thread.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

_BINARY = getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
READ_FLAGS = os.O_RDONLY | _NONBLOCK | _NOCTTY | _BINARY | _CLOEXEC


def kind(mode: int) -> str:
    """What a ``st_mode`` is, as a message key part: file, folder, pipe, socket, device, other."""
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


class UnsafeFile(OSError):
    """A path that is not a regular file Vigie may use; ``why`` is one of ``not_regular``
    (``what`` names it: folder, pipe, socket, device), ``too_big``, ``dangling``,
    ``loop``, ``outside``, ``own_file``."""

    def __init__(self, why: str, path: os.PathLike | str, **values):
        self.why = why
        self.values = {"path": str(path), **values}
        err = {"too_big": errno.EFBIG, "loop": errno.ELOOP}.get(why, errno.EINVAL)
        super().__init__(err, self.text("en"), str(path))

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str | None = None) -> str:
        """The refusal in ``lang`` (``files.*`` catalogue), English if the catalogue is missing."""
        values = dict(self.values)
        try:
            from agent.i18n import t  # noqa: PLC0415 - i18n reads its catalogues through this module
            if "what" in values:
                values["what"] = t("files.kind_" + values["what"], lang)
            text = t("files." + self.why, lang, **values)
            if text != "files." + self.why:
                return text
        except Exception:  # noqa: BLE001 - a message must never fail
            pass
        return f"{values['path']}: refused ({self.why}, {values.get('what', '')})"


def describe(exc: BaseException, lang: str | None = None) -> str:
    """A short reason for an ``OSError`` (ours translated, else the OS's words)."""
    if isinstance(exc, UnsafeFile):
        return exc.text(lang)
    return getattr(exc, "strerror", None) or str(exc)


def _check_inside(path: Path, inside: Path) -> None:
    try:
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(Path(os.path.realpath(inside))):
            raise UnsafeFile("outside", path, folder=str(inside))
    except (OSError, ValueError, RuntimeError) as exc:
        if isinstance(exc, UnsafeFile):
            raise
        raise UnsafeFile("loop", path) from exc


def open_regular(path: os.PathLike | str, cap: int | None = None, inside: os.PathLike | str | None = None) -> BinaryIO:
    """Open ``path`` for reading in binary; raises :class:`UnsafeFile` when it is not a
    regular file, is over ``cap`` bytes, or (``inside``) resolves out of that folder;
    other ``OSError`` as the OS gives them (``FileNotFoundError``...)."""
    path = Path(path)
    if inside is not None:
        _check_inside(path, Path(inside))
    try:
        fd = os.open(path, READ_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile("loop", path) from exc
        if exc.errno == errno.ENXIO:          # a socket (or a device without its driver)
            raise UnsafeFile("not_regular", path, what="socket") from exc
        if exc.errno == errno.ENOENT and os.path.islink(path):
            raise UnsafeFile("dangling", path) from exc
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile("not_regular", path, what=kind(st.st_mode))
        if cap is not None and st.st_size > cap:
            raise UnsafeFile("too_big", path, size=_size(cap))
        if _NONBLOCK and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _size(n: int) -> str:
    return f"{n // (1 << 20)} MB" if n >= 1 << 20 else f"{max(1, n // 1024)} kB"


def read_bytes(path: os.PathLike | str, cap: int, inside: os.PathLike | str | None = None) -> bytes:
    """The whole of a regular file of at most ``cap`` bytes (a file that grows past the
    cap while read is refused too)."""
    with open_regular(path, cap, inside) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise UnsafeFile("too_big", path, size=_size(cap))
    return data


def read_text(path: os.PathLike | str, cap: int, inside: os.PathLike | str | None = None,
              encoding: str = "utf-8") -> str:
    """:func:`read_bytes` decoded (``UnicodeDecodeError`` is a ``ValueError``)."""
    return read_bytes(path, cap, inside).decode(encoding)


def check_target(path: os.PathLike | str) -> Path:
    """The path to write for ``path`` (links followed), if it may be replaced: missing or a
    regular file. Raises :class:`UnsafeFile` for a folder, ``/``, a device, pipe or socket,
    a dangling or looping link — none of them is ever replaced."""
    path = Path(path)
    if not path.name:                          # "/", "C:\\"
        raise UnsafeFile("not_regular", path, what="folder")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise UnsafeFile("dangling", path) from None
        return path
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile("loop", path) from exc
        raise
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFile("not_regular", path, what=kind(st.st_mode))
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


def open_append(path: os.PathLike | str, mode: int = 0o600, read: bool = False) -> int:
    """A file descriptor appending to the regular file ``path`` (created ``mode`` if
    missing); never blocks on a pipe, never writes into a device. The caller closes it."""
    path = check_target(path)
    flags = (os.O_RDWR if read else os.O_WRONLY) | os.O_APPEND | os.O_CREAT | _NONBLOCK | _NOCTTY | _BINARY | _CLOEXEC
    fd = os.open(path, flags, mode)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):       # swapped between the check and the open
            raise UnsafeFile("not_regular", path, what=kind(st.st_mode))
        if _NONBLOCK and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return fd
    except BaseException:
        os.close(fd)
        raise
