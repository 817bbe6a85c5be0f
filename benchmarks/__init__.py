"""Performance benchmarks of jtbd_methods (``make bench`` or ``python -m benchmarks``).

Each benchmark prints one JSON line ``{"benchmark", "n", "seconds", "per_second",
"peak_rss_mb", ...}`` measured on synthetic data generated on the fly with a seed. They never
run inside ``make test``; ``tests/test_benchmarks.py`` runs each at a tiny size so they cannot
rot.
"""
