"""Command-line interface: one command per module, errors translated at one boundary."""
