"""Ports: the small Protocols handlers depend on; adapters/ holds their implementations."""
