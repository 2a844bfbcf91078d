"""Example people for the demo and the docs (fictional; every fact is one a rule reads)."""
