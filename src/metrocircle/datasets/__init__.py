"""Data shipped inside the package, each folder with its provenance README."""
