"""Pure-Python domain core: readers, feed parsers, matching, scoring. No Django here."""
