"""The HTTP API (FastAPI): thin handlers over the rules, the register and the cases."""
