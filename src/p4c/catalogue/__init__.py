"""`p4c catalogue`: a static, searchable catalogue of every service and an open-data package."""

from __future__ import annotations

from p4c.catalogue.model import CatalogueData
from p4c.catalogue.opendata import write_datapackage
from p4c.catalogue.site import build_catalogue, read_processed

__all__ = ["CatalogueData", "build_catalogue", "read_processed", "write_datapackage"]
