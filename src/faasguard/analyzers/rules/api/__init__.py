"""Invocation surface rules (FG-API-0xx): HTTP routes, function URLs, CORS, resource policies."""
