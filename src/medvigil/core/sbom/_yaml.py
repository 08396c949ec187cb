"""The one YAML loader for untrusted input (SPDX YAML, pnpm-lock.yaml, Yarn Berry yarn.lock).

It is PyYAML's safe loader (the C one when libyaml is there: no Python objects) with a guard
against alias bombs: the document is first composed into its node graph, where an alias is the
same node object met again, and the nodes it would expand to are counted in linear time before
anything is constructed. A document whose aliases would add more than ``max_alias_nodes`` nodes
(a "billion laughs" tree: 9 levels of 9 aliases is 387 million nodes from 620 bytes), or whose
aliases form a cycle (a list containing itself), is refused with :class:`SbomError`. Ordinary
anchors (a shared block reused a few times) stay accepted.
"""

from __future__ import annotations

from typing import Any

import yaml

from medvigil.core.errors import SbomError

MAX_ALIAS_NODES = 10_000
"""Default budget: how many nodes alias expansion may add to a YAML document."""

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def expanded_size(root: yaml.Node, *, source: str) -> tuple[int, int]:
    """Return (nodes once aliases are expanded, distinct nodes); raise on an alias cycle.

    Iterative post-order walk with one memo entry per distinct node, so the cost is linear in
    the composed graph, not in its expansion.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            continue
        if key in size:
            continue
        if key in on_path:
            raise SbomError(
                "YAML aliases form a cycle (a node contains itself); refused",
                source=source,
                location=f"line {node.start_mark.line + 1}",
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)
    return size[id(root)], len(size)


def load_yaml(text: str | bytes, *, source: str, max_alias_nodes: int = MAX_ALIAS_NODES) -> Any:
    """Load one YAML document safely; alias expansion is capped at ``max_alias_nodes`` extra nodes.

    Syntax errors propagate as :class:`yaml.YAMLError` (callers locate them in their own words);
    an alias bomb or cycle raises :class:`SbomError`.
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        total, distinct = expanded_size(root, source=source)
        if total - distinct > max_alias_nodes:
            raise SbomError(
                f"YAML aliases would expand {distinct:,} nodes to {total:,}, more than the limit of "
                f"{max_alias_nodes:,} extra nodes; refused as a possible alias bomb",
                source=source,
            )
        return loader.construct_document(root)
    finally:
        loader.dispose()
