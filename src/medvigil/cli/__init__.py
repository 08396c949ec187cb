"""The ``medvigil`` command line."""
