"""faasguard: security for serverless applications (scan, fix, protect, detect)."""

__version__ = "0.1.0"
