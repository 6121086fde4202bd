"""Benchmarks of the ATP warehouse (dev tools beside the product package): ``make bench``."""
