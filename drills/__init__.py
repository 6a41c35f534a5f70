"""Fault drills: traffic through the local host (a subprocess, so it can be killed), reconciled against
the simulated tenant's ground truth: lost, duplicated, wrong, dead-lettered with reason, recovered."""
