"""Helpers of the benchmarks in bench/ (not benchmarks themselves: `make bench` runs only the
files directly in bench/)."""
