"""`explain` next to the reference classifier, Sisimai (Debian's libsisimai-perl), string by
string: the ~500 labelled error strings of the shared corpus go through ``Sisimai::Reason->match``
(the reason Sisimai gives a bare diagnostic text, without the rest of the bounce) and through our
engine. A report per reason, not a gate: for each label, how often Sisimai's matcher gives it
back, how often our category is in that label's group, and how often we and the matcher agree.

Sisimai 4.25 (Debian) predates the reasons authfailure, requireptr, badreputation and a few
others that label the corpus (Sisimai 5), so its matcher cannot return them.

Reads the corpus in place (../shared/corpora); copies nothing into the project. Skips, naming
what is missing, without the corpus or without Sisimai.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter

import pytest

from tests.explain.corpus import BOUNCES, GROUPS, SKIP_REASON, UNDECIDED, read_tsv
from tests.explain.explaintools import classify
from wizard.explain.parse import parse

pytestmark = pytest.mark.bench

STRINGS = BOUNCES / "sisimai-error-strings.tsv"

# One reason per input line, in order ("undefined" where Sisimai finds none).
SISIMAI = """
use strict; use warnings;
use Sisimai::Reason;
open(my $fh, '<:encoding(UTF-8)', $ARGV[0]) or die;
binmode(STDOUT, ':encoding(UTF-8)');
while (my $line = <$fh>) {
    chomp $line; print((Sisimai::Reason->match($line) || 'undefined'), "\\n");
}
"""


def _sisimai_reasons(texts: list[str], tmp_path) -> list[str]:
    if shutil.which("perl") is None:
        pytest.skip("perl is not installed (Sisimai comparison)")
    probe = subprocess.run(["perl", "-MSisimai::Reason", "-e", "1"], capture_output=True,
                           timeout=60)
    if probe.returncode != 0:
        pytest.skip("Sisimai is not installed: apt-get install libsisimai-perl")
    path = tmp_path / "strings.txt"
    path.write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    out = subprocess.run(["perl", "-e", SISIMAI, str(path)], capture_output=True, text=True,
                         check=True, timeout=600)
    return out.stdout.splitlines()


def _in_group(reason: str, category: str) -> bool:
    return reason in GROUPS and category in GROUPS[reason][1]


@pytest.mark.skipif(not STRINGS.exists(), reason=f"{STRINGS.name}: {SKIP_REASON}")
def test_agreement_with_sisimai_per_reason(tmp_path):
    rows = [r for r in read_tsv(STRINGS.name) if r["expected_reason"] not in UNDECIDED]
    texts = [r["diagnostic_text"] for r in rows]
    theirs = _sisimai_reasons(texts, tmp_path)
    assert len(theirs) == len(rows), "Sisimai answered once per string"
    ours = [classify(parse(r["diagnostic_text"], r["smtp_command"] or None)).category
            for r in rows]
    total: Counter[str] = Counter()
    their_right: Counter[str] = Counter()
    our_right: Counter[str] = Counter()
    agree: Counter[str] = Counter()
    for row, reason, category in zip(rows, theirs, ours, strict=True):
        label = row["expected_reason"]
        total[label] += 1
        their_right[label] += reason == label
        our_right[label] += _in_group(label, category)
        agree[label] += _in_group(reason, category)
    print(f"\n{'label':16} {'n':>4} {'Sisimai::Reason':>16} {'explain':>8} {'agree':>6}")
    for label, n in total.most_common():
        print(f"{label:16} {n:4} {their_right[label] / n:16.2f} {our_right[label] / n:8.2f}"
              f" {agree[label] / n:6.2f}")
    n = sum(total.values())
    print(f"{'all':16} {n:4} {sum(their_right.values()) / n:16.3f}"
          f" {sum(our_right.values()) / n:8.3f} {sum(agree.values()) / n:6.3f}")
    assert n > 0 and set(theirs) - {"undefined"}, "Sisimai named some reasons"
