"""`python -m gongjiang.cli`, as the tests and benchmarks start the command."""

from gongjiang.cli import main

main()
