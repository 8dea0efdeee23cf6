"""`python -m mutu`: the same as the `mutu` console script."""

from mutu.cli import main

main()
