"""The knowledge base: one markdown article per problem, shipped as package data."""

from pathlib import Path

ARTICLES_DIR = Path(__file__).resolve().parent
