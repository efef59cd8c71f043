"""The house itself: the data-version counter and the page types every connection shares."""
from server.areas.area import Area
from server.domain.data_version import DataVersion

AREA = Area(
    name="core",
    tables=(DataVersion,),
    reads={"PageInfo": ()},  # cursors and flags of the page its connection already read
)
