"""The peer of bench/ingest.py: django-oscar placing two-supplier orders in process.

Run by bench/support/oscar_peer.py with the Python of a throwaway virtualenv that has
django-oscar (never with daifa's). A temporary SQLite Oscar project (settings made in code, WAL
and synchronous=NORMAL as daifa's SQLite has them, migrations run), two partners (suppliers)
with stock records on 10 products each, then N guest orders, each of two lines from two
partners, placed the way Oscar's checkout places them (OrderPlacementMixin.place_order and
handle_order_placement): the default shipping method from the shipping Repository, totals from
OrderTotalCalculator, the shipping address saved, OrderCreator.place_order (lines, stock
allocation), basket.submit(). Only that placement is timed; the basket is filled before each
(a shopper does that while browsing). Prints one JSON line: orders/s, SQL statements per order.

    <venv>/bin/python bench/support/oscar_orders.py [orders]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
from django.conf import settings

PRODUCTS_PER_PARTNER = 10


def configure(path: Path) -> None:
    import oscar
    from oscar import defaults

    oscar_settings = {k: v for k, v in vars(defaults).items() if k.startswith("OSCAR_")}
    oscar_settings["OSCAR_DEFAULT_CURRENCY"] = "CNY"
    settings.configure(
        DEBUG=False, SECRET_KEY="bench", USE_TZ=True, SITE_ID=1, ROOT_URLCONF=__name__,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField", INSTALLED_APPS=oscar.INSTALLED_APPS,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path),
                               "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; "
                                                          "PRAGMA synchronous=NORMAL;"}}},
        HAYSTACK_CONNECTIONS={"default": {
            "ENGINE": "haystack.backends.simple_backend.SimpleEngine"}},
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                    "APP_DIRS": True, "OPTIONS": {}}],
        **oscar_settings)
    django.setup()


urlpatterns: list[Any] = []


def catalogue() -> tuple[list[Any], list[Any], Any]:
    """Two partners with 10 stocked products each, and a shipping country."""
    from oscar.apps.address.models import Country
    from oscar.apps.catalogue.models import Product, ProductClass
    from oscar.apps.partner.models import Partner, StockRecord

    kind = ProductClass.objects.create(name="Tee", requires_shipping=True, track_stock=True)
    shelves = []
    for letter in "AB":
        partner = Partner.objects.create(name=f"Supplier {letter}")
        products = []
        for n in range(PRODUCTS_PER_PARTNER):
            product = Product.objects.create(product_class=kind, title=f"{letter} tee {n}",
                                             upc=f"{letter}{n:05d}")
            StockRecord.objects.create(product=product, partner=partner,
                                       partner_sku=f"{letter}-{n}", price_currency="CNY",
                                       price=Decimal("59.00"), num_in_stock=10**9)
            products.append(product)
        shelves.append(products)
    country = Country.objects.create(iso_3166_1_a2="CN", iso_3166_1_a3="CHN",
                                     iso_3166_1_numeric="156", name="China",
                                     printable_name="China", is_shipping_country=True)
    return shelves[0], shelves[1], country


def basket_of(first: Any, second: Any) -> Any:
    from oscar.apps.basket.models import Basket
    from oscar.apps.partner.strategy import Selector

    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(first, 1)
    basket.add_product(second, 2)
    return basket


def place(basket: Any, country: Any, n: int) -> Any:
    """What checkout does on submit, for a guest."""
    from django.contrib.auth.models import AnonymousUser
    from oscar.apps.checkout.calculators import OrderTotalCalculator
    from oscar.apps.order.models import ShippingAddress
    from oscar.apps.order.utils import OrderCreator, OrderNumberGenerator
    from oscar.apps.shipping.repository import Repository

    address = ShippingAddress(first_name="San", last_name="Zhang", line1="90 Wensan Road",
                              line4="Hangzhou", state="Zhejiang", postcode="310000",
                              country=country, phone_number="+8613912345678")
    method = Repository().get_default_shipping_method(basket=basket, shipping_addr=address)
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    number = OrderNumberGenerator().order_number(basket)
    address.save()
    order = OrderCreator().place_order(
        basket=basket, total=total, shipping_method=method, shipping_charge=charge,
        user=AnonymousUser(), shipping_address=address, order_number=number,
        guest_email=f"buyer{n}@example.com")
    basket.submit()
    return order


def run(count: int) -> dict[str, Any]:
    from django.db import connection

    first, second, country = catalogue()
    statements = [0]

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    seconds = 0.0
    for n in range(count):
        basket = basket_of(first[n % len(first)], second[n % len(second)])
        with connection.execute_wrapper(counting):
            started = time.perf_counter()
            order = place(basket, country, n)
            seconds += time.perf_counter() - started
        partners = {line.partner_id for line in order.lines.all()}
        assert len(partners) == 2, partners
    return {"orders": count, "seconds": seconds, "orders_per_s": count / seconds,
            "statements_per_order": statements[0] / count,
            "django": django.get_version(), "oscar": __import__("oscar").get_version()}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as tmp:
        configure(Path(tmp) / "oscar.db")
        call_command("migrate", verbosity=0, interactive=False)
        print(json.dumps(run(count)))


if __name__ == "__main__":
    main()
