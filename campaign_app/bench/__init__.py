"""Benchmarks at national scale: ``flask bench seed`` loads synthetic campaigns, visits and sign-ups in bulk,
``flask bench run`` times the dashboard views on them. Nothing here is used by the running app."""
