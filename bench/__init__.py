"""Benchmarks, run with `python -m bench` (see bench/README.md). Never timed assertions in the test suite."""
