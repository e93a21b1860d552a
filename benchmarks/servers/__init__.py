"""Processes the benchmarks start: servers and load generators, each in a process of its own."""
