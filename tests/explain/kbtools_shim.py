"""The knowledge tests' article writer, for explain tests (one helper, not two copies)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "knowledge"))

from kbtools import write_article

__all__ = ["write_article"]
