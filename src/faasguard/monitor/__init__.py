"""Detection over CloudTrail, Lambda logs and runtime-guard events (issue 7).

Independent of the scanner: nothing here imports ``faasguard.loaders`` or ``faasguard.analyzers``.
The store is an embedded DuckDB file; rules are Sigma YAML compiled to SQL by
:mod:`faasguard.monitor.sigma_sql`, so the same rules run in DuckDB, Athena/Trino or Spark SQL.
"""
