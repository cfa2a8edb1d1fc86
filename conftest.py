"""Collection of the package's doctests: skip the modules of extras that are not installed.

``stanceclf.spark`` and ``stanceclf.dask`` fail on import without their extra
(on purpose, with the command that installs it); their tests skip themselves.
"""

import importlib.util

_EXTRAS = {"spark": ("pyspark", "pandas", "pyarrow"), "dask": ("dask", "pandas")}

collect_ignore = [
    f"stanceclf/{module}.py"
    for module, packages in _EXTRAS.items()
    if any(importlib.util.find_spec(package) is None for package in packages)
]
