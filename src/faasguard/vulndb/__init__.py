"""The local OSV vulnerability database (see docs/secrets-deps.md).

``import_path`` and ``update`` build one SQLite index under the data directory; scans open it
read-only with ``VulnDB.open(resolve_dir(...))`` and never touch the network.
"""

from faasguard.vulndb.importer import ImportReport, import_path
from faasguard.vulndb.store import ENV_VAR, VulnDB, Vulnerability, default_dir, index_path, resolve_dir

__all__ = ["ENV_VAR", "ImportReport", "VulnDB", "Vulnerability", "default_dir", "import_path", "index_path",
           "resolve_dir"]
