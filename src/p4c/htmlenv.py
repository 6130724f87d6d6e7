"""The jinja2 environment of p4c's HTML pages, set up once for the report and the plans alike."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


@cache
def html_environment(package: str) -> jinja2.Environment:
    """Templates of `package`'s templates folder: every value autoescaped, an undefined name an
    error (never an empty string on a page), and the template's own line breaks kept."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
