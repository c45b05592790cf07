"""One message's way through Postfix, from its queue id: received from whom, from and to which
addresses, each delivery attempt's relay, delays and status, and any reject on the way.

Streaming: only the lines that carry the queue id are kept (a message has a few dozen at most),
so a 1 GB log costs no memory. Text from the log is untrusted and is shown by the caller through
the printable rule. No classification here: a status's reply can be explained as any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from wizard.explain.serverlog import redact

__all__ = ["Step", "trail"]

MAX_STEPS = 1000
_FIELD = re.compile(r"\b(client|from|to|orig_to|relay|delay|delays|dsn|status|size|nrcpt"
                    r"|message-id|sasl_username)=(<[^>]*>|[^,\s]*)")
_STATUS_TEXT = re.compile(r"status=\S+ \((?P<text>.*)\)\s*$")
_PROG = re.compile(r"(?P<prog>postfix[\w.-]*(?:/[\w.-]+)*)\[\d+\]: ")


@dataclass
class Step:
    """One log line of the message: when, which daemon, its fields and any reply text."""

    time: str
    daemon: str
    fields: dict[str, str] = field(default_factory=dict)
    text: str = ""
    line: str = ""

    def to_json(self) -> dict[str, object]:
        return {"time": self.time, "daemon": self.daemon, "fields": dict(self.fields),
                "text": self.text, "line": self.line}


def trail(lines: Iterable[str], queue_id: str) -> list[Step]:
    """The steps of message ``queue_id`` in log order (at most :data:`MAX_STEPS`)."""
    needle = f": {queue_id}: "
    out: list[Step] = []
    for line in lines:
        at = line.find(needle)
        if at < 0:
            continue
        prog = _PROG.search(line, 0, at + 3)
        if prog is None:
            continue
        rest = line[at + len(needle):]
        fields = {k: v.strip("<>") if k in ("from", "to", "orig_to") else v
                  for k, v in _FIELD.findall(rest)}
        status = _STATUS_TEXT.search(rest)
        text = status.group("text") if status else ("" if fields else rest)
        if rest.startswith(("reject:", "milter-reject:")):
            text = rest
        out.append(Step(line[:prog.start()].rstrip().rpartition(" ")[0],
                        prog.group("prog").rpartition("/")[2], fields, redact(text),
                        redact(line)))
        if len(out) >= MAX_STEPS:
            break
    return out
