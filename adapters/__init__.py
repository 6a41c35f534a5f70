"""The outside world behind small Protocols: bus, store, Graph, blobs, text extraction, clock."""
