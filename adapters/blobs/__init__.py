"""Scanned-post storage: the post inbox folder locally, a Blob Storage container in Azure."""
