"""Paging links as Graph writes them: comparable keys, and the documented `$metadata#` form made fetchable."""

from __future__ import annotations

from urllib.parse import unquote


def link_key(url: str) -> str:
    """The same link whether or not `$`, `(`, `'` are percent-encoded (to spot a repeated link)."""
    return unquote(fetchable(url))


def fetchable(url: str) -> str:
    """Graph's documented expand links read `…/v1.0/$metadata#communications/callRecords('id')/sessions?…`;
    the resource is the part after `$metadata#`."""
    return url.replace("/$metadata#", "/")
