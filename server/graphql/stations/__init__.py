"""GraphQL for stations (测) and tracing (溯): thin resolvers over server.domain.stations / tracing."""
