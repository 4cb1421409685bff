"""CycloneDX 1.6 SBOM per application (``faasguard sbom``, ``faasguard scan -o cyclonedx``)."""

from faasguard.sbom.builder import TimestampError, build_bom, parse_timestamp, render_sbom, to_json

__all__ = ["TimestampError", "build_bom", "parse_timestamp", "render_sbom", "to_json"]
