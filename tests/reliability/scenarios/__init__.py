"""One module per fault scenario (see main.py for the interface)."""
