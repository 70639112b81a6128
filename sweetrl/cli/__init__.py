"""The ``sweet`` command line. Heavy imports happen inside commands, so --help is fast."""
