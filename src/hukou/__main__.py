"""`python -m hukou` runs the command line."""

from hukou.cli.main import run

run()
