"""Configuration rules: one small module per rule, grouped by concern in sub-packages."""

BUILTIN_RULE_MODULES = "faasguard.analyzers.rules"
