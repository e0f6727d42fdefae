"""Settings for the whole test process that only make it faster, never different."""

from __future__ import annotations

import os
from pathlib import Path

SYSTEM_CA_DIR = Path("/etc/ssl/certs")

# Every PTB bot builds two httpx clients, and each one parses a whole CA bundle (certifi's, or
# the SSL_CERT_FILE one) at 0.05-0.1 s, although the emulator speaks plain http. OpenSSL reads
# a hashed CA directory lazily, so httpx pointed at the system's costs nothing and would still
# verify https. httpx prefers SSL_CERT_FILE, hence it is dropped in this process.
if SYSTEM_CA_DIR.is_dir():
    os.environ.pop("SSL_CERT_FILE", None)
    os.environ["SSL_CERT_DIR"] = str(SYSTEM_CA_DIR)
