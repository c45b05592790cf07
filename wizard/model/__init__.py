"""Nouns: the Target, findings, transcript, secrets and errors."""
