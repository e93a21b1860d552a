"""Benchmarks: what the till costs over its raw parts, measured side by side in one run.

``python -m benchmarks [NAME…] [--quick]``; see benchmarks/README.md.
"""
