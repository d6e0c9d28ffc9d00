"""All models, imported here so Alembic and the app see one complete metadata."""

from gemba.models.accounts import ApiToken, Role, User
from gemba.models.base import Base, utcnow
from gemba.models.gaps import (
    Action,
    ActionStatus,
    AuditEvent,
    Gap,
    GapStatus,
    action_gaps,
    gap_evidence,
    gap_id_for,
)
from gemba.models.notes import PersonaNote
from gemba.models.notices import NoticeMode, NoticePreference, NoticeState, SentNotice
from gemba.models.photos import Photo, PhotoView
from gemba.models.plans import ItemKind, Plan, PlanEntry, PlanItem, PlanSchedule, plan_assignees
from gemba.models.revision import DataRevision
from gemba.models.sites import Persona, Site, Topic, topic_key
from gemba.models.topics import TopicMerge, TopicSynonym, TopicTranslation
from gemba.models.trash import DeletedRecord
from gemba.models.trends import TopicSighting, TrendSnapshot, TrendVersion
from gemba.models.walks import (
    Contradiction,
    Fact,
    Place,
    Sentiment,
    Source,
    Statement,
    Thing,
    ThingKind,
    Walk,
    WalkStatus,
    fact_things,
    standard_label,
)
from gemba.models.webhooks import DeliveryStatus, Webhook, WebhookDelivery

__all__ = [
    "TopicSighting",
    "TrendSnapshot",
    "TrendVersion",
    "Action",
    "ActionStatus",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Contradiction",
    "DataRevision",
    "DeletedRecord",
    "DeliveryStatus",
    "Fact",
    "Gap",
    "GapStatus",
    "NoticeMode",
    "NoticePreference",
    "NoticeState",
    "SentNotice",
    "Persona",
    "PersonaNote",
    "Photo",
    "PhotoView",
    "ItemKind",
    "Plan",
    "PlanEntry",
    "PlanItem",
    "PlanSchedule",
    "plan_assignees",
    "Place",
    "Role",
    "Sentiment",
    "Site",
    "Source",
    "Statement",
    "Thing",
    "ThingKind",
    "Topic",
    "TopicMerge",
    "TopicSynonym",
    "TopicTranslation",
    "User",
    "Walk",
    "WalkStatus",
    "Webhook",
    "WebhookDelivery",
    "action_gaps",
    "gap_evidence",
    "fact_things",
    "standard_label",
    "gap_id_for",
    "topic_key",
    "utcnow",
]
