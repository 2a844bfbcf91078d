"""Application services: one function per command, one unit of work each; every edge calls these."""
