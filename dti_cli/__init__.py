"""dti: compute, rank and compare DTI-style composite indices, from Python or the command line.

    import dti_cli as dti
    dti.rank(year=2022, top=5)            # a DataFrame: the columns of `dti rank --format csv`
    dti.explain("quang-ninh", year=2023).attrs["sentence"]

The functions live in dti_cli.api and are imported on first use, so that `import dti_cli` (and the command line's
help and completion) stay light.
"""

__version__ = "0.1.0"
__all__ = ["load_data", "load_method", "rank", "compare", "show", "scores", "explain", "movers", "whatif", "gap",
           "uncertainty", "verify", "check", "method", "list_", "import_table", "imported", "DTIError", "DataError", "UsageError", "__version__"]

_ERRORS = {"DTIError", "DataError", "UsageError"}


def __getattr__(name: str):
    if name in _ERRORS:
        from dti_cli import errors

        return getattr(errors, name)
    if name in __all__:
        from dti_cli import api

        return getattr(api, name)
    raise AttributeError(f"module 'dti_cli' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
