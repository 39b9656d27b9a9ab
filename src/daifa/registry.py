"""Imports every domain's models so Base.metadata knows all tables (for Alembic)."""

from daifa.aftersales import models as after_sale_models
from daifa.audit import models as audit_models
from daifa.bindings import models as binding_models
from daifa.catalog import models as catalog_models
from daifa.db.base import Base
from daifa.dispatch import models as dispatch_models
from daifa.idempotency import models as idempotency_models
from daifa.identity import models as identity_models
from daifa.imports import models as import_models
from daifa.jobs import models as job_models
from daifa.orders import models as order_models
from daifa.ratelimit import models as rate_limit_models
from daifa.routing import models as routing_models
from daifa.shipping import models as shipping_models
from daifa.shops import models as shop_models
from daifa.suppliers import models as supplier_models
from daifa.tracking import models as tracking_models
from daifa.webhooks import models as webhook_models

MODULES = (after_sale_models, audit_models, binding_models, catalog_models, dispatch_models,
           identity_models, idempotency_models, import_models, job_models, order_models,
           rate_limit_models, routing_models, shipping_models, shop_models, supplier_models,
           tracking_models, webhook_models)
metadata = Base.metadata
