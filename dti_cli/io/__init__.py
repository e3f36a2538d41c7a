"""The edge between dti and the file system: reading indicator files, writing output files atomically."""
