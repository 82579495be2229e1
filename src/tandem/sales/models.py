from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Order(models.Model):
    """A sale, or a refund of one (when `refund_of` is set), as in the
    exchange format's orders file: one id space for both."""

    order_id = models.CharField(_("订单编号"), max_length=64, primary_key=True)
    # No index of its own: order_customer_cover below starts with the customer.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    order_date = models.DateField(_("日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    category = models.CharField(_("品类"), max_length=64, blank=True)
    refund_of = models.ForeignKey(
        "self",
        verbose_name=_("退款对应订单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
    )

    class Meta:
        verbose_name = _("订单/退款")
        verbose_name_plural = _("订单/退款")
        ordering = ["order_date", "order_id"]
        # Commission runs read a customer's orders with every column below:
        # with all of them in the index the read never visits the table
        # (a customer's orders lie together here, scattered by date there).
        indexes = [
            models.Index(
                fields=["customer", "order_date", "amount", "category", "refund_of", "order_id"],
                name="order_customer_cover",
            ),
            # The order list, newest first, reads a page off this index instead
            # of sorting a million orders for every page.
            models.Index(fields=["order_date", "order_id"], name="order_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="order_amount_positive")
        ]

    def __str__(self) -> str:
        return self.order_id

    @property
    def is_refund(self) -> bool:
        return self.refund_of_id is not None
