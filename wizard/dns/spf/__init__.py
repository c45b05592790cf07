"""SPF (RFC 7208): parse records, evaluate ``check_host()`` with a trace, and judge the result.

Hand-written because no maintained library fits: pyspf is synchronous, brings its own DNS layer
(so it would bypass this project's resolver, which tells SERVFAIL from NXDOMAIN and shares one
cache per session), and none of them returns a *trace* (the include tree with each branch's DNS
lookup count, and which term matched the IP). The package does all of RFC 7208: every mechanism
and modifier, macros (section 7), include/redirect, exp=, the 10-lookup and 2-void-lookup limits
and the MX/PTR address limits. It passes the OpenSPF RFC 7208 suite (tests/dns/test_spf_suite.py).

- :mod:`.record`: terms and records, parsed and checked (pure; raises only ``PermError``);
- :mod:`.evaluate`: ``check_host`` / ``check_mail_from`` / ``analyze``, an iterative walk that
  stops at the RFC's limits and never raises;
- :mod:`.prefetch`: a record's lookups fetched together ahead of the walk;
- :mod:`.merge`: several published records merged into the one to publish;
- :mod:`.judge`: the findings (pure).
"""

from wizard.dns.spf.evaluate import (
    ANALYZE_MAX_LOOKUPS,
    MAX_DEPTH,
    SpfResult,
    TraceNode,
    analyze,
    check_host,
    check_mail_from,
)
from wizard.dns.spf.judge import (
    EVAL_STATUS,
    authorises_nobody,
    judge_eval,
    judge_helo,
    judge_lookups,
    judge_record,
    risks,
)
from wizard.dns.spf.merge import merge_records
from wizard.dns.spf.record import (
    LOOKUP_TERMS,
    MAX_LOOKUPS,
    MAX_MX_PTR_NAMES,
    MAX_VOID_LOOKUPS,
    MECHANISMS,
    QUALIFIERS,
    RESULTS,
    PermError,
    SpfError,
    SpfRecord,
    TempError,
    Term,
    check_domain_spec,
    check_macro_string,
    is_spf_record,
    parse_record,
    parse_term,
    select_record,
    valid_domain,
)

__all__ = [
    "ANALYZE_MAX_LOOKUPS", "EVAL_STATUS", "LOOKUP_TERMS", "MAX_DEPTH", "MAX_LOOKUPS",
    "MAX_MX_PTR_NAMES", "MAX_VOID_LOOKUPS", "MECHANISMS", "QUALIFIERS", "RESULTS", "PermError",
    "SpfError", "SpfRecord", "SpfResult", "TempError", "Term", "TraceNode", "analyze",
    "authorises_nobody", "check_domain_spec", "check_host", "check_macro_string",
    "check_mail_from", "is_spf_record", "judge_eval", "judge_helo", "judge_lookups",
    "judge_record", "merge_records", "parse_record", "parse_term", "risks", "select_record",
    "valid_domain",
]
