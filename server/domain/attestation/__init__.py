"""Attested capture: per-device Ed25519 keys registered with the server, capture signatures verified on upload."""
