"""Discharge and water-quality standards (reference data, read-only)."""
from server.areas.area import Area
from server.graphql.standards.queries import StandardsQuery

AREA = Area(name="standards", queries=(StandardsQuery,))
