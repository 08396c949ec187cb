"""Program metrics definitions (docs/metrics.md): percentiles, duration bins, periods, burn-down.

The database computes the metrics (``medvigil.web.metrics.selectors``); this package holds the
definitions the SQL must agree with, in plain Python, so they can be read, tested and reused.
"""
