"""Benchmarks (`make bench`): each bench_*.py measures ratios side by side in one run."""
