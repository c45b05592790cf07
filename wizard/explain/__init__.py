"""The one explain service: parse a reply, classify it from rule data, say what to do next.

``parse`` finds the parts of a reply, ``engine`` classifies (rules, provider catalogs, client
errors and article patterns, in explicit tiers), ``service`` turns that into the explanation every
front end shows (CLI, TUI, live findings, the pasted-error question), ``logs`` reads mail logs.
Modules are imported on demand: this package imports nothing at start-up.
"""
