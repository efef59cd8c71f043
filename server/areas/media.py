"""Photos and videos: upload tickets, storage, evidence checks."""
from server.areas.area import MEDIA, Area, Job
from server.domain.media.models import Media, MediaPrint
from server.domain.media.service import expire_stale_uploads
from server.domain.permissions import READ_ROLES, rule
from server.graphql.media.resolvers import MediaMutation, MediaQuery
from server.web.wiring import Services


async def _expire_uploads(services: Services) -> dict[str, int]:
    return {"expired_uploads": await expire_stale_uploads(db=services.db, store=services.store)}


AREA = Area(
    name="media",
    tables=(Media, MediaPrint),
    audited={Media: "media"},
    verbs={
        "media.upload": rule({"INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}, scopes=("tasks:create",)),
        "media.read": rule(READ_ROLES),
        "media.original": rule({"SUPERVISOR", "ADMIN"}),
    },
    jobs=(Job("uploads", "reject uploads whose ticket expired and delete their objects", _expire_uploads),),
    queries=(MediaQuery,),
    mutations=(MediaMutation,),
    watched={"media": MEDIA},
    reads={"Media": ("media",), "EvidenceCheck": ("media",), "CheckPosition": ("media",),
           "ReuseEdits": ("media",)},
    uncacheable=("Media.url", "Media.thumbnailUrl", "Media.originalUrl"),  # signed, and they expire
)
