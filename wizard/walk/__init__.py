"""The walk: the tree, its context, the verdict, questions and the session."""
