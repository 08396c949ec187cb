"""Remediation: the case lifecycle, the FDA clock, actions with evidence and reporting obligations."""
