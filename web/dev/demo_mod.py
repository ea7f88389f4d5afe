"""A module mapped into Pyodide's filesystem by the demo's "files" config."""


def double(x):
    return 2 * x
