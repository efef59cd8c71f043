"""GraphQL of the outfall's life (issue 19 items 3-8)."""
