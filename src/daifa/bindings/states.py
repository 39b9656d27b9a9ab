from __future__ import annotations

from enum import StrEnum

from daifa.kit.states import TransitionTable


class ApplicationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class InvitationStatus(StrEnum):
    ACTIVE = "active"
    USED_UP = "used_up"
    REVOKED = "revoked"
    EXPIRED = "expired"


class BindingStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class CreatedVia(StrEnum):
    INVITATION = "invitation"
    APPLICATION = "application"


APPLICATION_TRANSITIONS = TransitionTable[ApplicationStatus](
    "binding_application",
    ApplicationStatus,
    [
        ("approve", ApplicationStatus.PENDING, ApplicationStatus.APPROVED),
        ("reject", ApplicationStatus.PENDING, ApplicationStatus.REJECTED),
        ("expire", ApplicationStatus.PENDING, ApplicationStatus.EXPIRED),
        ("cancel", ApplicationStatus.PENDING, ApplicationStatus.CANCELLED),
    ],
)

INVITATION_TRANSITIONS = TransitionTable[InvitationStatus](
    "invitation",
    InvitationStatus,
    [
        ("use_up", InvitationStatus.ACTIVE, InvitationStatus.USED_UP),
        ("revoke", InvitationStatus.ACTIVE, InvitationStatus.REVOKED),
        ("expire", InvitationStatus.ACTIVE, InvitationStatus.EXPIRED),
    ],
)

BINDING_TRANSITIONS = TransitionTable[BindingStatus](
    "binding",
    BindingStatus,
    [("end", BindingStatus.ACTIVE, BindingStatus.ENDED)],
)
