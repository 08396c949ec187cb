"""The indexed configuration evaluator gives exactly what the naive one (every CPE per entry) gives,
and the per-record screen never rules out a record that could yield a finding."""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Sequence

import pytest

from medvigil.core.matching.cpe import Cpe, CpeCriterion, CpeError, parse_cpe
from medvigil.core.matching.cpe_config import (
    ConfigMatch,
    ConfigNode,
    CpeEvidence,
    CpeInventory,
    CpeMatch,
    CpeMatchLike,
    CpeTargets,
    StoredConfig,
    StoredTrees,
    evaluate_configurations,
    evaluate_indexed,
    prepare_criterion,
    prepare_nodes,
    prepare_stored_nodes,
    stored_screens,
    stored_screens_admit,
)
from medvigil.core.matching.engine import MatchIndex, RecordInfo, component_cpes, match
from medvigil.core.model.component import Component, ComponentType

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


def _assert_same(got: ConfigMatch, expected: ConfigMatch) -> None:
    """Same outcome and the same evidence (entry and CPE) in the same order."""
    assert (got.matched, got.partial) == (expected.matched, expected.partial)
    assert [(e.match.criteria, e.cpe) for e in got.evidence] == [
        (e.match.criteria, e.cpe) for e in expected.evidence
    ]


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
            _assert_same(evaluate_indexed(prepared, own, inventory, platforms_known=known), expected)
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


# --- the per-record screen and the bounded-entry index (version ranges) ----------------------

SCREEN_VENDORS = ["acme", r"c\+\+soft", "globex"]
SCREEN_PRODUCTS = ["pump", r"p\&id", "os"]
SCREEN_VERSIONS = ["0.9", "1.0", "1.0.0", "1.0.1", "1.2", "2.0", "2.0a", "2.0 beta1", "10.1", "r\\(1\\)"]
BOUNDS = ["0.9", "1.0", "1.0.0", "1.0.1", "1.2", "2.0", "2.0a", "10.1"]
TAIL = ["*", "*", "-", "sp1", "sp2"]


def _screen_name(rng: random.Random, criteria: bool) -> str:
    versions = [*SCREEN_VERSIONS, "*", "-", *(["1.*", "*"] if criteria else [])]
    fields = [
        rng.choice("aoh"),
        rng.choice(SCREEN_VENDORS),
        rng.choice(SCREEN_PRODUCTS),
        rng.choice(versions),
    ]
    if criteria and rng.random() < 0.05:
        fields[1] = rng.choice(["*", "ac*"])  # wildcard vendor: admits every target
    fields += [rng.choice(TAIL), *(rng.choice(["*", "*", "x64"]) for _ in range(6))]
    return "cpe:2.3:" + ":".join(fields)


def _ranged_entry(rng: random.Random) -> CpeMatch:
    bounds: dict[str, str] = {}
    if rng.random() < 0.6:
        bounds[rng.choice(["version_start_including", "version_start_excluding"])] = rng.choice(BOUNDS)
    if rng.random() < 0.7:
        bounds[rng.choice(["version_end_including", "version_end_excluding"])] = rng.choice(BOUNDS)
    name = _screen_name(rng, criteria=True)
    if bounds and rng.random() < 0.8:
        name = ":".join([*name.split(":")[:5], "*", *name.split(":")[6:]])  # NVD's usual ANY version
    return CpeMatch(name, rng.random() < 0.7, **bounds)


def _ranged_node(rng: random.Random, depth: int) -> ConfigNode:
    children = tuple(_ranged_node(rng, depth + 1) for _ in range(rng.randint(0, 2))) if depth < 1 else ()
    matches = tuple(_ranged_entry(rng) for _ in range(rng.randint(1, 8)))
    return ConfigNode(rng.choice(["OR", "AND", "OR"]), rng.random() < 0.1, children, matches)


def _entries(nodes: Sequence[ConfigNode]) -> list[CpeMatch]:
    out: list[CpeMatch] = []
    for node in nodes:
        out += node.cpe_matches
        out += _entries(node.children)
    return out


def _as_entry_target(criterion: CpeCriterion, target: Cpe) -> Cpe:
    """``target`` with every attribute but the version taken from the criterion (so only the
    version decides whether the criterion matches it)."""
    return dataclasses.replace(criterion.cpe, version=target.version)


def test_screen_admits_exactly_the_targets_some_vulnerable_entry_may_match() -> None:
    rng = random.Random(17)
    admitted = rejected = 0
    for _ in range(3000):
        roots = tuple(_ranged_node(rng, 0) for _ in range(rng.randint(1, 2)))
        prepared = prepare_nodes(roots)
        own = [parse_cpe(_screen_name(rng, criteria=False)) for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.03:
            own.append(parse_cpe("cpe:2.3:a:*:pump:1.0:*:*:*:*:*:*:*"))  # ANY vendor: may match anything
        got = any(root.screen.admits(CpeTargets(own)) for root in prepared)
        vulnerable = [prepare_criterion(e) for e in _entries(roots) if e.vulnerable]
        # sound: a vulnerable entry that matches an own CPE is never screened out
        assert got or not any(c.matches(t) for c in vulnerable for t in own)
        # and exact on versions: it admits iff some vulnerable entry of the target's vendor:product
        # matches its version (other attributes are left to the evaluation); conservative only for
        # wildcard names, wildcard versions without bounds, the version of a bounded entry and ANY
        # vendor/product targets
        expected = any(c.key is None for c in vulnerable) or any(t.vendor == "*" for t in own)
        for c in vulnerable:
            for t in own:
                if c.key == t.vendor_product:
                    unbounded = c.start is None and c.end is None
                    if unbounded and "*" in c.cpe.version:
                        expected = True
                    elif not unbounded:  # a bounded entry is screened on its bounds alone
                        any_version = dataclasses.replace(c.cpe, version="*")
                        c = CpeCriterion(c.criteria, any_version, c.vulnerable, c.start, c.end)
                    expected = expected or c.matches(_as_entry_target(c, t))
        assert got == expected, (roots, own)
        admitted += got
        rejected += not got
    assert admitted > 500 and rejected > 500, (admitted, rejected)


def test_screen_bounds_inclusive_exclusive_and_any_na_versions() -> None:
    def admits(target: str, **bounds: str) -> bool:
        (root,) = prepare_nodes(
            [ConfigNode("OR", False, (), (CpeMatch(bounds.pop("criteria", PUMP), True, **bounds),))]
        )
        return root.screen.admits(CpeTargets([parse_cpe(target)]))

    v = "cpe:2.3:a:acme:pump:{}:*:*:*:*:*:*:*".format
    assert admits(v("1.0"), version_start_including="1.0.0") and not admits(
        v("1.0"), version_start_excluding="1.0"
    )
    assert admits(v("2.0"), version_end_including="2.0") and not admits(
        v("2.0"), version_end_excluding="2.0.0"
    )
    assert admits(v("1.5"), version_start_excluding="1.0", version_end_excluding="2.0")
    assert not admits(v("2.0a"), version_start_including="1.0", version_end_including="2.0")
    assert not admits(v("*"), version_end_including="2.0") and not admits(v("-"), version_end_including="2.0")
    assert (
        admits(v("*"), criteria=v("1.0"))
        and admits(v("-"), criteria=v("-"))
        and not admits(v("1.0"), criteria=v("-"))
    )
    assert admits(v("1.0.0"), criteria=v("1.0")) and not admits(v("1.0.1"), criteria=v("1.0"))
    escaped = r"cpe:2.3:a:c\+\+soft:p\&id:{}:*:*:*:*:*:*:*".format
    assert admits(escaped("3.1"), criteria=escaped("*"), version_start_including="3.0")
    assert not admits(v("3.1"), criteria=escaped("*"), version_start_including="3.0")  # another product


PUMP = "cpe:2.3:a:acme:pump:*:*:*:*:*:*:*:*"
OS = "cpe:2.3:o:globex:os:*:*:*:*:*:*:*:*"


def test_indexed_evaluator_equals_naive_on_many_ranges_per_product() -> None:
    rng = random.Random(23)
    outcomes = {"matched": 0, "partial": 0, "none": 0}
    for _ in range(2000):
        roots = tuple(_ranged_node(rng, 0) for _ in range(rng.randint(1, 3)))
        prepared = prepare_nodes(roots)
        own = [parse_cpe(_screen_name(rng, criteria=False)) for _ in range(rng.randint(1, 2))]
        shared = [parse_cpe(_screen_name(rng, criteria=False)) for _ in range(rng.randint(0, 8))]
        inventory = CpeInventory(shared)
        for known in (False, True):
            expected = _naive(roots, [*own, *shared], known)
            _assert_same(evaluate_indexed(prepared, own, inventory, platforms_known=known), expected)
        result = _naive(roots, [*own, *shared], False)
        outcomes["matched" if result.matched else "partial" if result.partial else "none"] += 1
    assert min(outcomes.values()) > 30, outcomes  # matched, partial and none all represented


def test_prepared_from_stored_json_equals_prepared_from_nodes() -> None:
    rng = random.Random(5)
    for _ in range(500):
        roots = tuple(rng.choice([_node, _ranged_node])(rng, 0) for _ in range(rng.randint(1, 3)))
        stored = json.loads(json.dumps([dataclasses.asdict(root) for root in roots]))
        assert prepare_stored_nodes(stored) == prepare_nodes(roots)


def test_prepared_trees_share_one_key_set_per_distinct_set_of_products() -> None:
    # ~200,000 nodes and plans of a large scan hold vendor:product key sets, most of one key each
    rng = random.Random(8)
    roots = [_node(rng, 0) for _ in range(200)]
    first, again = prepare_nodes(roots), prepare_nodes(roots)
    sets = [node.vulnerable_keys for node in first]
    assert len({id(keys) for keys in sets}) == len(set(sets)) < len(sets)
    for a, b in zip(first, again, strict=True):
        assert a.vulnerable_keys is b.vulnerable_keys
        if a.plan.keys is not None:
            assert a.plan.keys is b.plan.keys


def test_stored_subtrees_of_the_same_content_are_prepared_once() -> None:
    # NVD repeats running-on subtrees across records: one prepared node (and plan) for each
    rng = random.Random(9)
    common = _node(rng, 1)
    records = [(ConfigNode("AND", children=(_node(rng, 1), common)),) for _ in range(20)]
    prepared = [
        prepare_stored_nodes(json.loads(json.dumps([dataclasses.asdict(root) for root in roots])))
        for roots in records
    ]
    assert len({id(roots[0].children[1]) for roots in prepared}) == 1
    assert len({id(roots[0]) for roots in prepared}) == len(set(records))
    for roots, config in zip(prepared, records, strict=True):
        assert roots == prepare_nodes(config)


def test_platform_inventory_shared_by_many_components_gives_each_the_naive_result() -> None:
    # One platform inventory per scan keeps the running-on subtrees' results and its hits per
    # plan: every component (own CPEs) and every order of evaluation must still get the oracle's.
    rng = random.Random(31)
    outcomes = {"matched": 0, "partial": 0, "none": 0}
    for _ in range(40):
        configs = [tuple(_node(rng, 0) for _ in range(rng.randint(1, 3))) for _ in range(40)]
        prepared = {config: prepare_nodes(config) for config in configs}
        shared = [parse_cpe(_name(rng, rng.choice("ooha"), False)) for _ in range(rng.randint(1, 12))]
        owns = [
            [parse_cpe(_name(rng, rng.choice("aoh"), False)) for _ in range(rng.randint(1, 2))]
            for _ in range(8)
        ]
        inventory = CpeInventory(shared)
        pairs = [(own, config) for own in owns for config in configs] * 2  # the second round is memoised
        rng.shuffle(pairs)
        for own, config in pairs:
            for known in (False, True):
                expected = _naive(config, [*own, *shared], known)
                _assert_same(
                    evaluate_indexed(prepared[config], own, inventory, platforms_known=known), expected
                )
            result = _naive(config, [*own, *shared], False)
            outcomes["matched" if result.matched else "partial" if result.partial else "none"] += 1
    assert min(outcomes.values()) > 100, outcomes


def test_stored_configuration_is_prepared_only_when_its_screen_admits_a_component() -> None:
    # A scan's candidate records keep their trees in the stored JSON form: a record whose screen
    # rules every component out is never prepared, and the findings are those of prepared trees.
    rng = random.Random(41)
    configs = [tuple(_ranged_node(rng, 0) for _ in range(rng.randint(1, 3))) for _ in range(300)]
    texts = [json.dumps([dataclasses.asdict(root) for root in roots]) for roots in configs]
    platforms = [_screen_name(rng, criteria=False).replace(":*:", ":1.0:", 1) for _ in range(6)]
    components = [
        Component(f"c{i}", cpes=(_screen_name(rng, criteria=False),), type=ComponentType.APPLICATION)
        for i in range(10)
    ] + [
        Component(f"p{i}", cpes=(cpe,), type=ComponentType.OPERATING_SYSTEM)
        for i, cpe in enumerate(platforms)
    ]
    eager, lazy = MatchIndex(), MatchIndex()
    stored = [StoredConfig(text) for text in texts]
    for i, (text, config) in enumerate(zip(texts, stored, strict=True)):
        info = RecordInfo("nvd", f"CVE-{i}", (), False)
        eager.add_prepared(info, (), prepare_stored_nodes(json.loads(text)))
        lazy.add_prepared(info, (), (), stored=[config])
    assert not any(config.prepared for config in stored)
    assert list(match(components, lazy)) == list(match(components, eager))
    targets = [CpeTargets(component_cpes(c)) for c in components]
    admitted = [any(config.screen.admits(t) for t in targets) for config in stored]
    assert not any(config.prepared and not ok for config, ok in zip(stored, admitted, strict=True))
    keys = {cpe.vendor_product for c in components for cpe in component_cpes(c)}
    screened_out = [c for c, ok in zip(stored, admitted, strict=True) if c.vulnerable_keys & keys and not ok]
    prepared = sum(config.prepared for config in stored)
    assert prepared > 10 and len(screened_out) > 10, (prepared, len(screened_out))  # candidates both ways
    assert len(list(match(components, eager))) > 20


def _stored_text(roots: Sequence[ConfigNode]) -> str:
    return json.dumps([dataclasses.asdict(root) for root in roots])


def test_screens_stored_at_import_admit_exactly_what_the_decoded_trees_admit() -> None:
    # The compact screens written beside the candidate index (per vendor:product) must screen a
    # record as its decoded trees do, for every target of those keys; wildcard names, malformed
    # criteria, ANY/NA versions, inclusive/exclusive and one- or two-sided bounds included.
    rng = random.Random(23)
    admitted = rejected = wild = 0
    for _ in range(3000):
        roots = tuple(rng.choice([_node, _ranged_node])(rng, 0) for _ in range(rng.randint(1, 3)))
        text = _stored_text(roots)
        decoded = StoredConfig(text)
        screens = stored_screens(roots)
        assert set(screens) == decoded.vulnerable_keys
        if not screens:
            continue  # no vulnerable entry: not in the candidate index
        part = dict(rng.sample(sorted(screens.items()), rng.randint(1, len(screens))))
        config = StoredConfig.of_screens(StoredTrees(text), part)
        assert config is not None
        assert config.roots == decoded.roots and config.vulnerable_keys == set(part)
        wild += decoded.screen.wild
        for _ in range(20):
            names = [_screen_name(rng, criteria=False) for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.5:
                names.append(_name(rng, rng.choice("aoh"), criteria=False))
            own = [parse_cpe(n) for n in names]
            own = [c for c in own if c.vendor_product in part or c.vendor == "*" or c.product == "*"]
            targets = CpeTargets(own)
            got = config.screen.admits(targets)
            assert got == decoded.screen.admits(targets), (roots, own)
            admitted += got
            rejected += not got
        assert config.nodes == prepare_nodes(roots)  # the trees themselves, decoded when asked for
    assert admitted > 3000 and rejected > 3000 and wild > 50, (admitted, rejected, wild)


def test_a_record_is_kept_before_loading_exactly_when_its_screens_admit_a_component() -> None:
    # The scan drops candidate records before reading their trees when their stored screens admit
    # none of the SBOM's own CPEs (all components at once): it must keep every record that the
    # per-component screen would admit for some component, and drop only those it never would.
    rng = random.Random(29)
    kept = dropped = 0
    for _ in range(2000):
        roots = tuple(rng.choice([_node, _ranged_node])(rng, 0) for _ in range(rng.randint(1, 3)))
        screens = stored_screens(roots)
        if not screens:
            continue
        part = dict(rng.sample(sorted(screens.items()), rng.randint(1, len(screens))))
        config = StoredConfig.of_screens(StoredTrees(_stored_text(roots)), part)
        assert config is not None
        components = []
        for _ in range(rng.randint(1, 4)):
            names = [_screen_name(rng, criteria=False) for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.05:
                names.append(_name(rng, rng.choice("aoh"), criteria=False))  # ANY names among them
            components.append([parse_cpe(n) for n in names])
        # the record was loaded for a key of the scan: some component shares one of its keys
        candidates = [own for own in components if any(c.vendor_product in part for c in own)]
        if not candidates:
            continue
        expected = any(config.screen.admits(CpeTargets(own)) for own in candidates)
        every = CpeTargets([c for own in components for c in own])
        got = stored_screens_admit(part, every)
        if every.any_name:
            assert got  # an ANY vendor or product may match any entry: kept
        else:
            assert got == expected, (roots, components)
        kept += got
        dropped += not got
    assert kept > 300 and dropped > 80, (kept, dropped)


def test_unfilled_or_unreadable_screens_keep_the_record() -> None:
    roots = (ConfigNode("OR", False, (), (CpeMatch(PUMP, True, version_end_excluding="2.0"),)),)
    ((key, text),) = stored_screens(roots).items()
    newer = CpeTargets([parse_cpe(PUMP.replace(":*:*:*:*:*:*:*:*", ":3.0:*:*:*:*:*:*:*", 1))])
    assert not stored_screens_admit({key: text}, newer)  # 3.0 is not below 2.0
    for unread in (None, "", "[1, 1]", json.dumps([2, *json.loads(text)[1:]])):
        assert stored_screens_admit({key: unread}, newer)  # decided when matched, from the trees


def test_screens_of_another_format_are_not_read() -> None:
    roots = (ConfigNode("OR", False, (), (CpeMatch(PUMP, True, version_end_excluding="2.0"),)),)
    ((key, text),) = stored_screens(roots).items()
    assert StoredConfig.of_screens(StoredTrees(_stored_text(roots)), {key: text}) is not None
    other = json.dumps([2, *json.loads(text)[1:]])
    assert StoredConfig.of_screens(StoredTrees(_stored_text(roots)), {key: other}) is None
    assert StoredConfig.of_screens(StoredTrees(_stored_text(roots)), {key: "[1, 1]"}) is None


def test_stored_entries_of_equal_content_are_one_shared_entry() -> None:
    # Records repeat entries (one running-on list in many CVEs): each distinct entry is prepared
    # once and shared, the same value as preparing it on its own; a malformed one stays None.
    shared = CpeMatch(PUMP, True, version_end_excluding="2.0")
    bad = CpeMatch("cpe:2.3:a:acme:pump:1.0:*:*:*:*:*:*:*:*:*", True)  # 12 components
    first = prepare_stored_nodes(json.loads(_stored_text((ConfigNode("OR", False, (), (shared, bad)),))))
    second = prepare_stored_nodes(
        json.loads(_stored_text((ConfigNode("AND", False, (), (CpeMatch(OS, False), shared)),)))
    )
    assert first[0].cpe_matches[0] is second[0].cpe_matches[1]
    assert first[0].cpe_matches[0].criterion == prepare_criterion(shared)
    assert first[0].cpe_matches[1].criterion is None
    with pytest.raises(CpeError, match="11 components"):
        prepare_criterion(bad)  # the plain entry still reports why it is malformed


def test_equal_stored_screens_give_one_shared_screen() -> None:
    roots = (
        ConfigNode("OR", False, (), (CpeMatch(PUMP, True, version_end_excluding="2.0"), CpeMatch(OS, True))),
    )
    screens = stored_screens(roots)
    assert len(screens) == 2
    one = StoredConfig.of_screens(StoredTrees(_stored_text(roots)), screens)
    other = StoredConfig.of_screens(StoredTrees(_stored_text(roots)), dict(reversed(screens.items())))
    assert one is not None and other is not None
    assert one.screen is other.screen and one.vulnerable_keys is other.vulnerable_keys
    assert one.roots == other.roots == 1 and one.trees is not other.trees
