"""Benchmarks against the budgets in DESIGN.md (run with `make bench`; not a test).

Each script measures our code and a bare ceiling in the same run, under the same
server setup, and prints the ratio; a missed budget exits non-zero.
"""
