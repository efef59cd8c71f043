"""Notifications: queued with the change that causes them, delivered by a job."""
from server.areas.area import Area, Job
from server.domain.notify.channels import build_channels
from server.domain.notify.models import Notification
from server.domain.notify.service import dispatch
from server.web.wiring import Services


async def _deliver(services: Services) -> dict[str, int]:
    return {"sent": await dispatch(db=services.db, channels=build_channels(services.settings))}


AREA = Area(
    name="notify",
    tables=(Notification,),
    jobs=(Job("notify", "deliver due notifications", _deliver),),
)
