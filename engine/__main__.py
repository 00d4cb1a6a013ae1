"""`python -m engine` is `ladder`."""
from engine.cli import main

main(prog_name="ladder")
