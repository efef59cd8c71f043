"""Review queue (supervisors): each submitted rectification as one card; tapping it opens the review
(review_item.py). Decisions are queued like every other record and sent by the sync engine."""
from __future__ import annotations

from mobile.app import labels, theme
from mobile.app.formatting import local_time, place
from mobile.app.i18n import _
from mobile.app.screens.base import Page
from mobile.app.widgets import Btn, Card, Text


class ReviewPage(Page):
    name_ = "review"

    def page_title(self):
        return _("Review queue")

    def queue(self) -> list[dict]:
        store = self.services.store
        decided = {it.payload.get("_taskId") for it in store.items(kind="reviewSubmission") if it.state != "failed"}
        return [t for t in store.review_queue() if t["id"] not in decided]

    def refresh(self):
        self.body.clear_widgets()
        queue = self.queue()
        if not queue:
            self.body.add_widget(Text(_("Nothing waiting for review."), color=theme.MUTED))
        for t in queue:
            card = Card()
            card.add_widget(Text(labels.readable_title(t.get("title")), bold=True))
            sub = t.get("latestSubmission") or {}
            card.add_widget(Text(" · ".join(x for x in (t.get("code"), (t.get("outfall") or {}).get("name"),
                                                         place(t.get("district")),
                                                         local_time(sub.get("submittedAt"))) if x),
                                 size=theme.FONT_SMALL, color=theme.MUTED))
            if self.services.drafts.get("review", sub.get("id") or t["id"]):
                card.add_widget(Text(_("Unsaved draft"), size=theme.FONT_SMALL, color=theme.ACCENT))
            card.add_widget(Btn(_("Open the evidence"), on_press=lambda t=t: self.app.go("review_item", task=t)))
            self.body.add_widget(card)
