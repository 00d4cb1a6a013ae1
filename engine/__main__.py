"""`python -m engine` is `ladder`."""
from .cli import main

main(prog_name="ladder")
