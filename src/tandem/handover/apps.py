from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "tandem.handover"
    verbose_name = _("离职交接")
