"""Read what ``explain`` is given without trusting its size: files, stdin, gzip, line by line.

Every read is bounded: a whole input (a reply, a bounce) stops at a byte limit, and line input
(``--batch``, ``--log``) stops at a line that is longer than any real reply or log line, so
``/dev/zero`` or an endless pipe ends with one clear :class:`InputError`, never a huge buffer.
Gzip files are recognised by their magic bytes. Decoding is UTF-8 with replacement (log files
mix encodings). No classification here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import BinaryIO

from wizard.model.errors import WizardError

__all__ = ["MAX_LINE_BYTES", "MAX_MESSAGE_BYTES", "MAX_TEXT_BYTES", "InputError", "iter_lines",
           "open_input", "read_bounded"]

MAX_TEXT_BYTES = 1 << 20
"""One pasted reply (TEXT or ``-``): 1 MiB is far more than any reply or bounce excerpt."""
MAX_MESSAGE_BYTES = 20 << 20
"""One bounce message (``--file``): 20 MiB, the size of a large attachment bounced back."""
MAX_LINE_BYTES = 1 << 20
"""One line of ``--batch`` or ``--log``."""


class InputError(WizardError):
    """Input that cannot be read or is not what it should be (one line, for exit status 2)."""


def _mib(n: int) -> str:
    return f"{n / (1 << 20):g} MiB"


def open_input(name: str) -> BinaryIO:
    """``name`` opened for binary reading (``-`` is stdin); gzip is decompressed on the fly."""
    if name == "-":
        raw: BinaryIO = sys.stdin.buffer
    else:
        try:
            raw = open(name, "rb")  # noqa: SIM115 - returned to the caller, who closes it
        except OSError as exc:
            raise InputError(f"cannot read {name!r}: {exc.strerror or exc}") from None
    peek = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if peek == b"\x1f\x8b":
        import gzip

        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    return raw


def read_bounded(stream: BinaryIO, limit: int, what: str) -> bytes:
    """All of ``stream``, or InputError when it is longer than ``limit`` bytes."""
    try:
        data = stream.read(limit + 1)
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise InputError(f"cannot read {what}: {exc}") from None
    if len(data) > limit:
        raise InputError(f"{what} is larger than {_mib(limit)}: give one reply or one message"
                         " (use --batch or --log for many)")
    return data


def iter_lines(stream: BinaryIO, what: str, limit: int = MAX_LINE_BYTES) -> Iterator[str]:
    """The lines of ``stream`` without their line ends, decoded; InputError on a line longer
    than ``limit`` bytes (an endless or binary input) or a read error."""
    number = 0
    while True:
        try:
            line = stream.readline(limit + 1)
        except (OSError, EOFError, ValueError) as exc:  # BadGzipFile is an OSError
            raise InputError(f"cannot read {what}: {exc}") from None
        if not line:
            return
        number += 1
        if len(line) > limit:
            raise InputError(f"line {number:,} of {what} is longer than {_mib(limit)}: this is"
                             " not a text file of replies or log lines")
        yield line.decode("utf-8", errors="replace").rstrip("\r\n")
