"""Static assets of the web page at /api/ui (served by functions/ui.py; no build step)."""
