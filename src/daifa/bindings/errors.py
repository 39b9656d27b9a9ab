from __future__ import annotations

from daifa.errors import Conflict, NotFound


class AlreadyBound(Conflict):
    code = "ALREADY_BOUND"
    title = "This shop and supplier are already bound"


class ApplicationPending(Conflict):
    code = "APPLICATION_PENDING"
    title = "An application to this supplier is already waiting for an answer"


class TooManyPendingApplications(Conflict):
    code = "TOO_MANY_PENDING_APPLICATIONS"
    title = "Too many applications are waiting for an answer"


class ApplicationNotFound(NotFound):
    code = "APPLICATION_NOT_FOUND"
    title = "No such binding application"


class ApplicationExpired(Conflict):
    code = "APPLICATION_EXPIRED"
    title = "The application expired without an answer"
    keep_changes = True  # the expiry found on the way is recorded even though the call fails


class InvitationNotFound(NotFound):
    code = "INVITATION_NOT_FOUND"
    title = "No such invitation"


class InvitationUnusable(Conflict):
    code = "INVITATION_UNUSABLE"
    title = "This invitation can no longer be used"


class InvitationExpired(InvitationUnusable):
    code = "INVITATION_EXPIRED"
    title = "This invitation has expired; ask the shop for a new one"


class InvitationRevoked(InvitationUnusable):
    code = "INVITATION_REVOKED"
    title = "The shop revoked this invitation; ask the shop for a new one"


class InvitationUsedUp(InvitationUnusable):
    code = "INVITATION_USED_UP"
    title = "This invitation has been used as often as the shop allowed"


class BindingNotFound(NotFound):
    code = "BINDING_NOT_FOUND"
    title = "No active binding between this shop and supplier"
