"""Secrets in the application model (FG-SEC-001). File scanning is the secrets analyzer's job."""
