"""The doors: one web layer every transport sits on.

auth (bearer, authenticate), wiring (Services, build_services), middleware (body limit, response
cache) and routes (graphql, exports, media, health). GraphQL, the REST exports, the media routes, the
console and the CLI all use these; none of them owns authentication or the process's wiring.
"""
