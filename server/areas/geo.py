"""Districts and rivers: the reference every record points at."""
from server.areas.area import MAP, Area
from server.domain.geo.models import District, River
from server.graphql.geo.queries import GeoQuery

AREA = Area(
    name="geo",
    tables=(District, River),
    queries=(GeoQuery,),
    cached=("districts", "rivers"),
    watched={"districts": MAP, "rivers": MAP},
    reads={"Query.districts": ("districts",), "Query.rivers": ("rivers",), "District": ("districts",),
           "River": ("rivers",), "GeoPoint": ()},
)
