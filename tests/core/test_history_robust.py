"""Nothing in a session file can crash History: odd records are skipped and said so (issue 13,
item 7). Real session files from a real walk, then mutated by hypothesis."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import builtin_scenario
from wizard.lab.runner import Lab
from wizard.output.report import render
from wizard.records.history import SessionLog, list_sessions, load_session
from wizard.walk.tree import walk

_RECORDS: list[dict[str, Any]] = []
_COUNT = [0]


def real_records(tmp: Path) -> list[dict[str, Any]]:
    """The records of one real walk (relay-denied: findings, a diagnostic, transcript)."""
    if not _RECORDS:
        async def run() -> Path:
            async with Lab(builtin_scenario("relay-denied")) as lab:
                target = lab.target(dns=False)
                with SessionLog.create(target, "test", directory=tmp) as log:
                    async for event in walk(target):
                        log.append(event)
                return log.path

        path = asyncio.run(run())
        _RECORDS.extend(json.loads(line) for line in path.read_text().splitlines())
    return json.loads(json.dumps(_RECORDS))


def read_everything(folder: Path) -> None:
    for summary in list_sessions(folder):
        record = load_session(summary.path)
        session = record.session()
        for fmt in ("text", "markdown", "json"):
            render(session, fmt)
        session.verdict.to_dict()


def test_odd_head_and_bogus_enum_values_are_shown_not_raised(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"type": "session", "target": "x"}) + "\n")
    records = real_records(tmp_path / "real")
    for target in (records[0]["target"], records[-1]["report"]["target"]):
        target["security"] = "bogus"  # a newer version's value
        target["port"] = "not-a-port"
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    summaries = {s.path.name: s for s in list_sessions(tmp_path)}
    assert summaries["a.jsonl"].unreadable
    session = load_session(summaries["b.jsonl"].path).session()
    assert session.target.security.value == "auto"  # the bogus value was not trusted
    read_everything(tmp_path)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_session_files_never_raise(tmp_path, data):
    records = real_records(tmp_path / "real")
    for _ in range(data.draw(st.integers(1, 6))):
        record = data.draw(st.sampled_from(records))
        holder: Any = record
        keys = [k for k in holder if k != "type"] if isinstance(holder, dict) else []
        while keys:  # walk down to a random value and replace it
            key = data.draw(st.sampled_from(keys))
            if isinstance(holder[key], dict) and data.draw(st.booleans()):
                holder = holder[key]
                keys = list(holder)
                continue
            holder[key] = data.draw(JSON)
            break
    _COUNT[0] += 1
    folder = tmp_path / f"fuzz-{_COUNT[0]}"
    folder.mkdir()
    (folder / "s.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    read_everything(folder)
