"""Parts of the composition root grouped by concern; `bootstrap.Services` combines them.

Each part is a mixin over the same fields (settings, clock, bus, policy, store, …): it only wires
adapters to handlers, lazily, and holds no logic of its own.
"""
