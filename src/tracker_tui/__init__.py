"""tracker-tui: see, cost and clean up an AWS account from the terminal."""

__version__ = "0.1.0"
