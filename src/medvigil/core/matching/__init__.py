"""Matching building blocks: version semantics, OSV ranges, native ranges, CPE and CSAF wording.

* :mod:`.versions` / :mod:`.version_keys` — per-ecosystem version keys (``VERSION_SCHEMES``).
* :mod:`.ranges` — OSV ranges, enumerated versions, package-name normalisation.
* :mod:`.native_ranges` — npm semver ranges and ``vers:`` strings.
* :mod:`.cpe`, :mod:`.cpe_config`, :mod:`.nvd_adapter` — CPE names and NVD configuration trees.
* :mod:`.csaf_versions` — CISA's version wording in CSAF product trees.
* :mod:`.teardown` — per-process caches dropped at interpreter exit.
* :mod:`.engine` — the matcher: ``MatchIndex`` (built once) and ``match`` (hash join), with
  :mod:`.enumeration`, :mod:`.inference` (CPEs from purls), :mod:`.csaf_products` (devices),
  :mod:`.grouping` (findings per identity), :mod:`.keys`,
  :mod:`.report` (SARIF / CycloneDX VEX of scan results).
"""
