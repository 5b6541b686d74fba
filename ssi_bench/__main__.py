"""Entry point: ``python -m ssi_bench``."""

from ssi_bench.cli import main

if __name__ == "__main__":
    main()
