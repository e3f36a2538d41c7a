"""One function per command: load the data and the method, compute, and return a Result that the command line
renders and the Python API returns as a DataFrame."""
