"""Every table, imported once so SQLModel's metadata (and Alembic) sees them all."""
from sqlmodel import SQLModel

from server.domain.attestation.models import Device  # noqa: F401
from server.domain.audit.models import AuditEvent  # noqa: F401
from server.domain.data_version import DataVersion  # noqa: F401
from server.domain.geo.models import District, River  # noqa: F401
from server.domain.inspections.models import Inspection, Measurement  # noqa: F401
from server.domain.media.models import Media  # noqa: F401
from server.domain.outfalls.models import Outfall, OutfallCodeCounter, OutfallLimit  # noqa: F401
from server.domain.patrols.models import Patrol  # noqa: F401
from server.domain.notify.models import Notification  # noqa: F401
from server.domain.stations.models import OutfallRiverPosition, Station, StationEpisode, readings  # noqa: F401
from server.domain.tasks.models import Submission, SubmissionMedia, Task, TaskEvent  # noqa: F401
from server.domain.users.models import User  # noqa: F401
from server.domain.users.throttle import RateCounter  # noqa: F401

import server.domain.audit.recorder  # noqa: E402,F401  (installs the flush hook)

metadata = SQLModel.metadata
