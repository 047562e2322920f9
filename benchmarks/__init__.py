"""pytest-benchmark suite: every route of ``fitters.ROUTES`` timed against NumPy baselines."""
