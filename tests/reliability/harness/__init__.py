"""The fault suite's harness: real service processes (stack), plain HTTP with the vendors'
signatures (http, signing), client load (load), identities and credentials made through the
public APIs (identity), and the figures each scenario reports (report). Standard library
only, so the suite needs nothing installed but Python and the services it drives."""
