"""What the reviewer is shown beside each evidence check (issue 17 item 5): the photos a check names
side by side (a reused photo and the stored original, a before photo and the finding it matches) and
the two positions a distance was measured between, framed on a map. Plain data, no Kivy: the review
screen (mobile/app/screens/review_item.py) only draws what this says.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from mobile.core import mapping

# The check fields the review screen asks for (GraphQL EvidenceCheck).
CHECK_FIELDS = ("code severity message messageZh messageEn mediaId relatedMediaIds relatedMedia { id thumbnailUrl } "
                "positions { label lat lon } distanceM reuse { mirrored rotationDeg keptShare scale inliers "
                "agreeShare wordsZh wordsEn }")


@dataclass(frozen=True)
class Photo:
    """One picture of a side-by-side: its media id, where it sits in the record (role "before", "after",
    "finding" with its 1-based number, or "stored" for a photo of another record) and its local thumbnail."""
    media_id: str
    role: str
    number: int | None
    path: str | None


@dataclass
class Evidence:
    check: dict
    photo: Photo | None  # the submission's photo the check judges; None for a check of the submission
    side_by_side: list[Photo] = field(default_factory=list)  # this photo first, then the ones it is compared to
    positions: list[dict] = field(default_factory=list)  # [{"label": "photo" | "site", "lat", "lon"}]
    distance_m: float | None = None

    def edits(self, zh: bool) -> list[str]:
        """What was done to the stored photo to make this copy (REUSED_PHOTO), in the reviewer's language."""
        r = self.check.get("reuse") or {}
        return list(r.get("wordsZh" if zh else "wordsEn") or [])


def photos_of(task: dict) -> dict[str, Photo]:
    """Every photo of the task the review screen already holds, by media id: the submission's before and
    after photos and the original finding's, with their numbers and downloaded thumbnails."""
    out: dict[str, Photo] = {}
    sub = task.get("latestSubmission") or {}
    for role, media in (("before", sub.get("before")), ("after", sub.get("after")), ("finding", finding_media(task))):
        for n, m in enumerate(media or [], start=1):
            out.setdefault(str(m["id"]), Photo(str(m["id"]), role, n, m.get("localPath")))
    return out


def finding_media(task: dict) -> list[dict]:
    """The original finding's photos: the inspection's that raised the task, then those it was created with."""
    out = list((task.get("raisedBy") or {}).get("media") or [])
    ids = {str(m["id"]) for m in out}
    return out + [m for m in task.get("media") or [] if str(m["id"]) not in ids]


def evidence(task: dict) -> list[Evidence]:
    """Each check of the latest submission with what backs it: each photo's own checks first (in photo
    order), then the submission's checks no photo carries. A check that names other photos gets them
    side by side after the photo it judges; one that measured a distance gets its two positions."""
    sub = task.get("latestSubmission") or {}
    known = photos_of(task)
    related = {str(r["id"]): r for c in all_checks(sub) for r in c.get("relatedMedia") or []}
    out: list[Evidence] = []
    seen = set()
    for side in ("before", "after"):
        for m in sub.get(side) or []:
            for c in m.get("checks") or []:
                out.append(_evidence(c, known[str(m["id"])], known, related))
                seen.add((c.get("code"), c.get("messageEn")))
    for c in sub.get("checks") or []:
        if (c.get("code"), c.get("messageEn")) not in seen:
            mid = c.get("mediaId")
            out.append(_evidence(c, known.get(str(mid)) if mid is not None else None, known, related))
    return out


def all_checks(sub: dict) -> list[dict]:
    return [*(sub.get("checks") or []), *(c for side in ("before", "after") for m in sub.get(side) or []
                                         for c in m.get("checks") or [])]


def _evidence(c: dict, photo: Photo | None, known: dict[str, Photo], related: dict[str, dict]) -> Evidence:
    ids = [photo.media_id] if photo else []
    ids += [str(i) for i in c.get("relatedMediaIds") or [] if str(i) not in ids]
    pair = []
    for i in ids:
        if i in known:
            pair.append(known[i])
        elif i in related:  # a photo of another record the caller may see (a reuse's stored original)
            pair.append(Photo(i, "stored", None, related[i].get("localPath")))
    # Only a comparison is shown side by side: a photo alone next to its own words says nothing more.
    return Evidence(c, photo, pair if len(pair) >= 2 else [], list(c.get("positions") or []), c.get("distanceM"))


def thumbnails_to_fetch(task: dict) -> list[dict]:
    """The related photos (relatedMedia) whose thumbnails the screen needs and does not hold yet."""
    known = photos_of(task)
    out, seen = [], set()
    for c in all_checks(task.get("latestSubmission") or {}):
        for r in c.get("relatedMedia") or []:
            i = str(r["id"])
            if i not in known and i not in seen:
                seen.add(i)
                out.append(r)
    return out


def frame(points: list[tuple[float, float]], width: float, height: float, *, padding: float,
          zooms: tuple[float, float] = (3, 18)) -> tuple[tuple[float, float], float]:
    """The WGS-84 centre and zoom that show every point inside a width x height view with `padding`
    pixels to spare on each side (the deepest zoom within `zooms` that does; one point: the deepest)."""
    if not points:
        raise ValueError("frame needs at least one point")
    xs, ys = zip(*(mapping.project(lat, lon, 0) for lat, lon in points))
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    fit = []
    for span, room in ((span_x, width - 2 * padding), (span_y, height - 2 * padding)):
        if span > 0:
            fit.append(math.log2(max(room, 1.0) / span))
    zoom = max(zooms[0], min(zooms[1], min(fit) if fit else zooms[1]))
    centre = mapping.unproject((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2, 0)
    return centre, zoom
