from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "gongjiang.market"
    label = "market"
    verbose_name = _("产教融合服务")

    def ready(self) -> None:
        # The register returns identity claims without knowing the inbox above it (ADR 0032).
        from gongjiang.market.push import notify_claim_returned
        from gongjiang.registry.services import claim_returned

        claim_returned.connect(notify_claim_returned, dispatch_uid="market.claim_returned")
