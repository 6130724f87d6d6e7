"""p4c: rank the services of development agencies to cluster initiatives and plan field tests."""

from __future__ import annotations

__version__ = "0.1.0"
