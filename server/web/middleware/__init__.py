"""ASGI middleware shared by every route: the body-size cap and the data-versioned response cache."""
