"""CSAF 2.0 beyond parsing: the mandatory tests of section 6.1 (:mod:`.validate`, blocking) and
the optional tests of section 6.2 (:mod:`.optional`, advice only)."""
