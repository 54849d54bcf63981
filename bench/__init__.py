"""Benchmarks: run with ``python -m bench.<name>``; they print figures and never assert."""
