"""Test configuration: property tests are derandomized under CI so a run is repeatable; locally they
explore new examples each time (failures found that way are fixed, then kept as explicit tests)."""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
