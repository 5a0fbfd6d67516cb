"""The feedmine version (one place: the package, the build and every saved file read it from here)."""
__version__ = "0.1.0"
