"""Publishers: documents medvigil writes from a case snapshot (:class:`~.model.AdvisoryInput`).

:mod:`.csaf` (CSAF 2.0 security advisory and VEX), :mod:`.vex` (CycloneDX 1.6 VEX, OpenVEX 0.2),
:mod:`.notice` (the customer notice carrying FDA's four communication parts) and
:mod:`.versioning` (CSAF version rules). Pure functions, deterministic; every machine-readable
output is checked against its schema (and, for CSAF, every mandatory test) before it is returned.
"""
