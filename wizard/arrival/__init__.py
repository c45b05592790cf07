"""Arrival: read a sent test message back by IMAP (inbox, junk or not arrived) and explain it.

``imap`` is a bounded IMAP client (the standard library's imaplib in a worker thread, every read
under a deadline and a size cap); ``readback`` waits for the message by Message-ID and returns an
:class:`~wizard.arrival.result.Arrival`; ``explain`` runs the project's headers analysis on what
arrived. Nothing here imports Textual.
"""
