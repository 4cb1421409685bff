"""Logging and tracing rules (FG-LOG-0xx): log retention, API stage logs, X-Ray."""
