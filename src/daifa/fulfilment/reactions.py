"""The one table of reactions: when something happens that other packages react to, which
handlers run, in order, in the same transaction.

A package announces what happened with `ctx.publish(event)` and knows nothing of who reacts;
the composition root (hub, worker, CLI) gives every unit of work this table. A handler may
publish further events (auto-accept announces the orders it accepted) and may raise, which
rolls the whole unit of work back (unbinding refused while dispatch orders are open). Order
matters where a handler fills in what a later one tells: rerouting runs before the webhook
that tells the shop where the units went.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from daifa.aftersales import notify as after_sale_notify
from daifa.aftersales import replacements
from daifa.aftersales.events import CaseMoved, CasesOpened
from daifa.bindings.events import BindingEnding
from daifa.context import Ctx
from daifa.dispatch import autoaccept, notify
from daifa.dispatch import service as dispatch
from daifa.dispatch.autoaccept import AutoAccepted
from daifa.dispatch.creation import DispatchOrdersCreated
from daifa.dispatch.events import DispatchOrderMoved
from daifa.fulfilment import progress, reroute
from daifa.shipping import upload_db
from daifa.shipping.upload_db import ShippedByFile
from daifa.suppliers.events import SupplierSuspended

Handler = Callable[[Ctx, Any], None]

HANDLERS: Mapping[type, Sequence[Handler]] = {
    BindingEnding: [dispatch.refuse_unbind_while_open],
    DispatchOrdersCreated: [notify.on_created, autoaccept.accept_new],
    AutoAccepted: [notify.on_auto_accepted],
    DispatchOrderMoved: [reroute.after_end, reroute.after_cancel, progress.after_move,
                         notify.on_moved, replacements.after_move],
    ShippedByFile: [progress.after_file, upload_db.announce, replacements.after_file],
    SupplierSuspended: [reroute.after_suspension],
    CasesOpened: [after_sale_notify.on_opened],
    CaseMoved: [after_sale_notify.on_moved],
}


class Table:
    """Runs the handlers of an event's type, in the order listed."""

    def __init__(self, handlers: Mapping[type, Sequence[Handler]]) -> None:
        self.handlers = handlers

    def run(self, ctx: Ctx, event: object) -> None:
        for handler in self.handlers.get(type(event), ()):
            handler(ctx, event)


REACTIONS = Table(HANDLERS)
