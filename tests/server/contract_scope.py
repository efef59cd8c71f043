"""Contract parts not built yet. Empty: the whole public contract is served."""
UNBUILT: tuple[str, ...] = ()
