"""The public page per outfall, reached by its signboard's QR code (Order 35: disclosure through the
signboard, a QR code or online media). Built from a fixed list of public facts (lifecycle.json
public_page), never from the record as a whole, so nothing personal can leak by a field being added:
no contacts, no individual's name, no users, no photos, no readings."""
from __future__ import annotations

from urllib.parse import quote

from sqlmodel import col
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.geo.models import District, River
from server.domain.lifecycle import permits, plans, tracing_records
from server.domain.lifecycle.rules import PARTY_TYPES, required_items
from server.domain.outfalls.labels import category_labels
from server.domain.outfalls.models import Outfall

PLAN_LABELS = {"BAN": "依法取缔", "MERGE": "清理合并", "RECTIFY": "规范整治"}
PLAN_STATUS_LABELS = {"IN_PROGRESS": "整治中", "SUBMITTED": "待验收", "ACCEPTED": "已验收", "CLOSED_OUT": "已销号"}
PERMIT_LABELS = {"APPROVAL": "审批", "REGISTRATION": "登记"}
STATUS_LABELS = {"ACTIVE": "在用", "CLOSED": "已注销"}
WITHHELD = "个人（依法不公开）"


def public_path(code: str) -> str:
    """Where the signboard's QR code points (under the server's public URL)."""
    return f"/public/outfalls/{quote(code, safe='')}"


async def public_facts(session: AsyncSession, code: str) -> dict | None:
    """The public facts of the outfall with this code, or None (unknown, or found not to be an outfall)."""
    o = (await session.execute(select(Outfall).where(col(Outfall.code) == code))).scalar_one_or_none()
    if o is None or o.id is None or o.verification in ("SUSPECTED", "NOT_OUTFALL"):
        return None
    district = await session.get(District, o.district_code)
    river = await session.get(River, o.river_code)
    out: dict = {"code": o.code, "national_code": o.national_code, "provincial_code": o.provincial_code,
                 "name": o.name, "category": category_labels().get(o.category, o.category),
                 "river": river.name if river else o.river_code, "district": district.name if district else "",
                 "status": STATUS_LABELS.get(o.status, o.status), "responsible_party": None, "plan": None,
                 "permit": None}
    r = await tracing_records.approved_record(session, o.id)
    if r is not None:
        public = PARTY_TYPES.get(r.party_type, {}).get("public", True)
        out["responsible_party"] = {"name": r.party_name if public else WITHHELD,
                                    "type": PARTY_TYPES.get(r.party_type, {}).get("name_zh", r.party_type)}
    p = await plans.plan_for(session, o.id)
    if p is not None:
        needed = required_items(p.type, p.online_monitoring_required)
        out["plan"] = {"type": PLAN_LABELS[p.type], "status": PLAN_STATUS_LABELS[p.status],
                       "deadline": p.deadline.isoformat(),
                       "items_done": len([i for i in needed if i in (p.evidence or {})
                                          or (i == "MERGED_INTO" and p.merged_into_id)]),
                       "items_required": len(needed),
                       "accepted_on": p.accepted_at.date().isoformat() if p.accepted_at else None,
                       "closed_out_on": p.closed_at.date().isoformat() if p.closed_at else None}
    pm = await permits.permit_of(session, o.id)
    if pm is not None:
        out["permit"] = {"kind": PERMIT_LABELS[pm.kind], "status": "有效" if pm.status == "IN_FORCE" else "已注销",
                         "document_no": pm.document_no, "authority": pm.authority,
                         "decided_on": pm.decided_on.isoformat()}
    return out
