"""The model price catalogue. Picking a model copies its prices into the scope, so later edits never change one."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models


def _price(label: str, *, optional: bool = False, **extra) -> models.DecimalField:
    """A catalogue price per 1M tokens: six decimals (LiteLLM quotes per token), never negative."""
    return models.DecimalField(
        label,
        max_digits=20,
        decimal_places=6,
        null=optional,
        blank=optional,
        validators=[MinValueValidator(0)],
        **extra,
    )


class ModelPrice(models.Model):
    provider = models.CharField(max_length=100)
    model = models.CharField(max_length=200)
    input_per_1m = _price("input price per 1M tokens")
    cached_input_per_1m = _price("cached-input price per 1M tokens", optional=True)
    output_per_1m = _price("output price per 1M tokens")
    # Price catalogue v2: optional prices LiteLLM gives for some models, and when the provider retires the model.
    cache_write_per_1m = _price("cache-write price per 1M tokens", optional=True)
    reasoning_per_1m = _price(
        "reasoning price per 1M tokens",
        optional=True,
        help_text="Blank: reasoning tokens are billed at the output price.",
    )
    batch_input_per_1m = _price("batch input price per 1M tokens", optional=True)
    batch_output_per_1m = _price("batch output price per 1M tokens", optional=True)
    deprecation_date = models.DateField(
        null=True, blank=True, help_text="When the provider retires the model (from the price file), if announced."
    )
    currency = models.CharField(max_length=3, default="USD")
    effective_date = models.DateField(help_text="The date these prices were published or checked.")
    source = models.CharField(max_length=200, blank=True, help_text="e.g. starter catalogue, LiteLLM import, manual")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("provider", "model", "-effective_date")
        constraints = [
            models.UniqueConstraint(fields=["provider", "model", "effective_date"], name="unique_model_price_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.provider}/{self.model} ({self.effective_date})"

    @property
    def batch_discount_pct(self) -> Decimal | None:
        """The batch discount on input, as a percentage (50 for half price); None when no batch price is given."""
        if self.batch_input_per_1m is None or not self.input_per_1m:
            return None
        return (100 * (1 - self.batch_input_per_1m / self.input_per_1m)).quantize(Decimal("0.01"))


class PriceDrift(models.Model):
    """One catalogue change noticed on one scope, recorded once, so the daily check re-costs and alerts only once.

    ``recosted``: the live scope's launch cost per use at the catalogue's new prices. ``envelope``: a signed scope's
    launch cost per use left the envelope it was signed with. ``retired``: a signed scope's model is retired before
    its handover. The owners and the lead get one e-mail per signed scope per change (the two signed kinds).
    """

    class Kind(models.TextChoices):
        RECOSTED = "recosted", "Re-costed at new catalogue prices"
        ENVELOPE = "envelope", "Launch cost per use left the signed envelope"
        RETIRED = "retired", "Model retired before handover"

    project = models.ForeignKey("scoping.DiscoveryProject", on_delete=models.CASCADE, related_name="price_drifts")
    version = models.ForeignKey(
        "scoping.ScopeVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="price_drifts"
    )
    model_price = models.ForeignKey(ModelPrice, null=True, on_delete=models.SET_NULL, related_name="drifts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    fingerprint = models.CharField(max_length=32, help_text="The catalogue prices this was judged against.")
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "fingerprint"], name="unique_price_drift_per_change")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.project_id})"
