"""Data and its loaders: categories, providers, articles, status codes."""
