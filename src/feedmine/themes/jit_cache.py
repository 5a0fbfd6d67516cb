"""numba's on-disk cache switched on for UMAP's and pynndescent's compiled functions.

Why: umap-learn and pynndescent compile ≈ 250 numba functions without ``cache=True``, so every new
process pays for it again: fitting UMAP on 8,000 points took 40.8 s in a fresh process and 7.6 s the
second time in the same one. With the cache on, a fresh process after the first took 20.1 s (the two
nearest-neighbour-descent functions cannot be cached: they use dynamic globals, and numba says so).
That is ≈ 20 s off every CLI run and every worker or benchmark process that fits themes. The cache is
what ``cache=True`` would give (numba keys it by the source file and the CPU, so a changed library or
machine compiles again); ``FEEDMINE_NUMBA_CACHE=0`` leaves the libraries as they are.
"""
from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger(__name__)

_LIBRARIES = ("umap", "pynndescent")
_DONE: list[bool] = []


def cache_umap_compilation() -> int:
    """Switch numba's disk cache on for the compiled functions of the imported UMAP and pynndescent
    modules (once per process); returns how many were switched on."""
    if _DONE or os.environ.get("FEEDMINE_NUMBA_CACHE", "1") == "0":
        return 0
    _DONE.append(True)
    try:
        from numba.core.caching import NullCache
        from numba.core.registry import CPUDispatcher
    except ImportError:  # another numba layout: compile as the libraries do
        return 0
    switched = 0
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in _LIBRARIES:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, CPUDispatcher) and isinstance(getattr(value, "_cache", None), NullCache):
                try:
                    value.enable_caching()
                    switched += 1
                except Exception as err:  # noqa: BLE001 - a function numba cannot cache compiles as before
                    logger.debug("numba cache not enabled for %s: %s", name, err)
    logger.debug("numba disk cache enabled for %d UMAP/pynndescent functions", switched)
    return switched
