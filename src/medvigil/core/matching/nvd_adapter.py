"""Adapt NVD JSON ``configurations`` (feed 1.1 and API 2.0) to :mod:`.cpe_config` nodes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from medvigil.core.matching.cpe_config import ConfigNode, CpeMatch

__all__ = ["nodes_from_nvd11", "nodes_from_nvd20"]


def _match11(raw: Mapping[str, Any]) -> CpeMatch:
    return CpeMatch(
        criteria=raw.get("cpe23Uri") or raw["criteria"],
        vulnerable=bool(raw.get("vulnerable", True)),
        version_start_including=raw.get("versionStartIncluding"),
        version_start_excluding=raw.get("versionStartExcluding"),
        version_end_including=raw.get("versionEndIncluding"),
        version_end_excluding=raw.get("versionEndExcluding"),
    )


def _node(raw: Mapping[str, Any]) -> ConfigNode:
    return ConfigNode(
        operator=str(raw.get("operator", "OR")),
        negate=bool(raw.get("negate", False)),
        children=tuple(_node(c) for c in raw.get("children", ())),
        cpe_matches=tuple(_match11(m) for m in raw.get("cpe_match", raw.get("cpeMatch", ()))),
    )


def nodes_from_nvd11(configurations: Mapping[str, Any]) -> tuple[ConfigNode, ...]:
    """Root nodes of an NVD 1.1 ``configurations`` object (``nodes`` / ``children`` / ``cpe_match``)."""
    return tuple(_node(n) for n in configurations.get("nodes", ()))


def nodes_from_nvd20(configurations: Sequence[Mapping[str, Any]]) -> tuple[ConfigNode, ...]:
    """Root nodes of an NVD API 2.0 ``configurations`` list (each becomes one node)."""
    return tuple(
        ConfigNode(
            operator=str(conf.get("operator", "OR")),
            negate=bool(conf.get("negate", False)),
            children=tuple(_node(n) for n in conf.get("nodes", ())),
        )
        for conf in configurations
    )
