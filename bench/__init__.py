"""Benchmarks against the budgets in bench/README.md (run with `make bench` and the
other bench targets; not tests).

Each script measures our code and, where a budget is relative, a bare ceiling in the
same run, under the same server setup, and prints the ratio; a missed budget exits
non-zero.
"""
