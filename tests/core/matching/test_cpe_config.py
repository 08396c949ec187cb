"""The indexed configuration evaluator gives exactly what the naive one (every CPE per entry) gives."""

from __future__ import annotations

import random
from collections.abc import Sequence

from medvigil.core.matching.cpe import Cpe, CpeCriterion, CpeError, parse_cpe
from medvigil.core.matching.cpe_config import (
    ConfigMatch,
    ConfigNode,
    CpeEvidence,
    CpeInventory,
    CpeMatch,
    CpeMatchLike,
    evaluate_configurations,
    evaluate_indexed,
    prepare_criterion,
    prepare_nodes,
)

# --- the oracle: the evaluator as it was before indexing (each entry against every CPE) ------


def _naive(nodes: Sequence[ConfigNode], cpes: Sequence[Cpe], platforms_known: bool) -> ConfigMatch:
    def match(entry: CpeMatchLike, ev: list[CpeEvidence], vuln: list[bool]) -> bool | None:
        try:
            criterion = prepare_criterion(entry)
        except CpeError:
            return False
        for cpe in cpes:
            if criterion.matches(cpe):
                ev.append(CpeEvidence(entry, cpe))
                vuln[0] = vuln[0] or entry.vulnerable
                return True
        return None if not entry.vulnerable and not platforms_known else False

    def node(n: ConfigNode, ev: list[CpeEvidence], vuln: list[bool]) -> bool | None:
        values = [node(c, ev, vuln) for c in n.children] + [match(m, ev, vuln) for m in n.cpe_matches]
        if n.operator == "AND":
            result = False if False in values else (None if None in values else True)
        else:
            result = True if True in values else (None if None in values else False)
        return (not result) if n.negate and result is not None else result

    partial = None
    for root in nodes:
        ev: list[CpeEvidence] = []
        vuln = [False]
        result = node(root, ev, vuln)
        if result is True and vuln[0]:
            return ConfigMatch(True, False, tuple(ev))
        if result is None and vuln[0] and partial is None:
            partial = ConfigMatch(False, True, tuple(ev))
    return partial or ConfigMatch(False, False, ())


# --- generated names, configurations and inventories -------------------------------------

VENDORS = ["acme", "globex", r"c\+\+soft", "*", "-", "ac*", "?lobex"]
PRODUCTS = ["pump", "monitor", "os", r"p\&id", "*", "-", "mon*", "pum?"]
VERSIONS = ["1.0", "1.0.0", "1.2", "2.0", "2.0a", "*", "-", "1.*"]


def _name(rng: random.Random, part: str, criteria: bool) -> str:
    def pick(values: list[str]) -> str:
        plain = [v for v in values if v not in ("*", "-") and "*" not in v and "?" not in v[:1]]
        return rng.choice(values if criteria or rng.random() < 0.15 else plain)

    vendor, product, version = pick(VENDORS), pick(PRODUCTS), pick(VERSIONS)
    if not criteria and ("*" in version[1:] or "?" in version):
        version = "1.0"
    tail = [rng.choice(["*", "*", "-", "x64"]) for _ in range(7)]
    return ":".join(["cpe:2.3", part, vendor, product, version, *tail])


def _entry(rng: random.Random) -> CpeMatch:
    bounds: dict[str, str] = {}
    if rng.random() < 0.3:
        bounds[rng.choice(["version_start_including", "version_start_excluding"])] = "1.0"
    if rng.random() < 0.3:
        bounds[rng.choice(["version_end_including", "version_end_excluding"])] = "2.0"
    criteria = _name(rng, rng.choice("aoh"), criteria=True)
    if rng.random() < 0.03:
        criteria = "cpe:2.3:" + ":".join(["a"] * 12)  # malformed upstream: never matches
    return CpeMatch(criteria, rng.random() < 0.6, **bounds)


def _node(rng: random.Random, depth: int) -> ConfigNode:
    children = tuple(_node(rng, depth + 1) for _ in range(rng.randint(0, 2))) if depth < 2 else ()
    matches = tuple(_entry(rng) for _ in range(rng.randint(0 if children else 1, 4)))
    return ConfigNode(rng.choice(["OR", "AND"]), rng.random() < 0.2, children, matches)


def test_indexed_evaluator_equals_naive_on_generated_configurations() -> None:
    rng = random.Random(9)
    outcomes = {"matched": 0, "partial": 0, "none": 0}
    for _ in range(3000):
        roots = tuple(_node(rng, 0) for _ in range(rng.randint(1, 3)))
        prepared = prepare_nodes(roots)
        own = [parse_cpe(_name(rng, rng.choice("aoh"), False)) for _ in range(rng.randint(1, 2))]
        shared = [parse_cpe(_name(rng, rng.choice("ooha"), False)) for _ in range(rng.randint(0, 12))]
        inventory = CpeInventory(shared)
        for known in (False, True):
            expected = _naive(roots, [*own, *shared], known)
            assert evaluate_indexed(roots, own, inventory, platforms_known=known) == expected
            got = evaluate_indexed(prepared, own, inventory, platforms_known=known)
            assert (got.matched, got.partial) == (expected.matched, expected.partial)
            assert [(e.match.criteria, e.cpe) for e in got.evidence] == [
                (e.match.criteria, e.cpe) for e in expected.evidence
            ]
        assert evaluate_configurations(roots, own, shared) == _naive(roots, [*own, *shared], True)
        assert evaluate_configurations(roots, [*own, *shared], None) == _naive(roots, [*own, *shared], False)
        result = _naive(roots, [*own, *shared], False)
        outcomes["matched" if result.matched else "partial" if result.partial else "none"] += 1
    assert min(outcomes.values()) > 50, outcomes  # every outcome well represented


def test_inventory_candidates_keep_order_and_include_any_vendor_or_product() -> None:
    names = [
        "cpe:2.3:o:acme:os:1.0:*:*:*:*:*:*:*",
        "cpe:2.3:o:*:os:2.0:*:*:*:*:*:*:*",
        "cpe:2.3:o:globex:os:1.0:*:*:*:*:*:*:*",
        "cpe:2.3:o:acme:os:3.0:*:*:*:*:*:*:*",
        "cpe:2.3:h:acme:*:-:*:*:*:*:*:*:*",
    ]
    inventory = CpeInventory([parse_cpe(n) for n in names])
    exact = CpeCriterion.build("cpe:2.3:o:acme:os:*:*:*:*:*:*:*:*", False)
    assert [c.to_fs() for c in inventory.candidates(exact)] == [names[0], names[1], names[3], names[4]]
    wild = CpeCriterion.build("cpe:2.3:o:*:os:*:*:*:*:*:*:*:*", False)
    assert wild.key is None and len(inventory.candidates(wild)) == len(names)
    assert CpeCriterion.build("cpe:2.3:o:?cme:os:*:*:*:*:*:*:*:*", False).key is None
