"""Function configuration rules (FG-FN-0xx): runtime, timeout, concurrency, failure handling, code."""
