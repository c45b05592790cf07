"""The lab: loopback servers that reproduce classic mail failures, for training and tests.

Everything here binds to 127.0.0.1 only and picks free ports.
"""
