"""`python -m pipeline` is the `botjobs` command."""

from pipeline.cli import cli

cli(prog_name="botjobs")
