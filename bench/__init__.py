"""``make bench``: the performance figures of DESIGN.md's non-functional targets (``python -m bench.run``)."""
