"""Received-message analysis: why did this message fail DMARC or land in spam?

One module per concern: ``parse`` (the message, folding, RFC 2047), ``route`` (a bounce or a
received message?), ``hops`` (the Received chain), ``authres`` (Authentication-Results and
Received-SPF as recorded by each receiver), ``keys`` (DKIM/ARC keys fetched through the project's
resolver), ``dkim`` and ``arc`` (verified now with dkimpy), ``spf`` (re-evaluated with the
project's evaluator), ``dmarc`` (computed for the From domain), ``changes`` (which hop most likely
changed the message), ``spam`` and ``requirements`` (what the receivers' filters and the Gmail/Yahoo
sender rules say), ``verdict``, ``analyse`` (runs them all) and ``report`` (text, Markdown, JSON).

Nothing here imports Textual; the CLI (``wizard/cli/headers.py``) and the TUI screen
(``screens/headers_screen.py``) both call :func:`wizard.headers.analyse.analyse_message`.
"""
