"""Fixers that rewrite IaC in place (``faasguard fix``), keeping comments, key order and formatting."""
