"""The drift watch: re-cost scopes whose catalogue prices changed, and alert the owners of signed scopes.

Run daily by Celery beat (``scoping.check_price_drift``) and by ``manage.py check_price_drift``. A scope's own prices
are never changed: it copied them when its model was picked. What changes is what the owners know: each catalogue
change is recorded once per scope (``PriceDrift``), so a daily run re-costs and e-mails only what is new.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from scoping.audit import activity_record
from scoping.live_scope import export_scope
from scoping.models import DiscoveryProject, ModelPrice, PriceDrift, ScopeVersion, Stage
from scoping.models.sections import CostModel, ModelStep
from scoping.notifications import notify_price_drift
from scoping.projects.services import readiness_refresh
from scoping.review import hooks as workflow_hooks
from scoping.scope.costs import compute_costs, decimal_string
from scoping.scope.drift import (
    CataloguePrice,
    envelope_check,
    model_reference,
    recost,
    retired_before,
    retirement_refresh,
    step_reference,
    uses,
)
from scoping.scope.readiness.lenient import as_date, as_mapping

logger = logging.getLogger(__name__)


@dataclass
class DriftReport:
    """What one run did: which scopes it re-costed, which it could not, and which alerts it raised."""

    scopes_using_catalogue: int = 0
    recosted: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    alerts: list[PriceDrift] = field(default_factory=list)
    retirements_refreshed: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.scopes_using_catalogue} scope(s) use catalogue models; {len(self.recosted)} re-costed at new "
            f"prices; {len(self.refused)} not re-costed; {len(self.alerts)} alert(s) to owners of signed scopes; "
            f"{len(self.retirements_refreshed)} given a model's new retirement date"
        )


def _catalogue_price(row: ModelPrice) -> CataloguePrice:
    return CataloguePrice(
        provider=row.provider,
        model=row.model,
        currency=row.currency,
        input_per_1m=row.input_per_1m,
        cached_input_per_1m=row.cached_input_per_1m,
        output_per_1m=row.output_per_1m,
        deprecation_date=row.deprecation_date,
        cache_write_per_1m=row.cache_write_per_1m,
        reasoning_per_1m=row.reasoning_per_1m,
    )


def latest_catalogue() -> dict[str, list[tuple[ModelPrice, CataloguePrice]]]:
    """The newest catalogue row of each (provider, model), grouped by model name."""
    newest = ModelPrice.objects.values("provider", "model").annotate(newest=Max("effective_date"))
    wanted = {(row["provider"], row["model"], row["newest"]) for row in newest}
    by_model: dict[str, list[tuple[ModelPrice, CataloguePrice]]] = {}
    for row in ModelPrice.objects.all():
        if (row.provider, row.model, row.effective_date) in wanted:
            by_model.setdefault(row.model, []).append((row, _catalogue_price(row)))
    return by_model


def _record(project, kind: str, price_row: ModelPrice, price: CataloguePrice, **extra) -> PriceDrift | None:
    """The drift row for this change, or None when this change was already recorded for this scope."""
    try:
        with transaction.atomic():
            return PriceDrift.objects.create(
                project=project,
                kind=kind,
                model_price=price_row,
                fingerprint=price.fingerprint,
                version=extra.pop("version", None),
                details=extra,
            )
    except IntegrityError:
        return None  # already noticed: a daily run says each change once


def _launch_cost(cost_model) -> str | None:
    return decimal_string(compute_costs(cost_model).tiers["launch"].cost_per_use)


@transaction.atomic
def _retirement_put(
    project: DiscoveryProject, price_row: ModelPrice, price: CataloguePrice, *, sole_provider: bool
) -> bool:
    """Put the catalogue's retirement date into the live scope's steps that call this model; True when one changed.

    The date is a fact about the model, not a choice made in the room, so readiness can judge it from the scope alone
    (DESIGN.md, "Precise readings"). Only a draft is written: a frozen scope is what was submitted or signed, and a
    daily job must not withdraw it (a signed scope's owners hear of an early retirement by e-mail instead). Like every
    write to a section it bumps the revision, so a page opened before cannot save the old date back unnoticed.
    """
    if workflow_hooks.edit_consequence(project=project) is not None:
        return False
    cost_model = CostModel.objects.select_for_update().filter(project=project).first()
    if cost_model is None:
        return False
    steps = list(cost_model.steps.all())
    values = [
        {"model": step.model, "provider": step.provider, "deprecation_date": step.deprecation_date} for step in steps
    ]
    refreshed = retirement_refresh(values, price, provider_named=not sole_provider)
    if not refreshed:
        return False
    changes = {}
    for position, retires in refreshed.items():
        step = steps[position]
        changes[f"steps[{position}].deprecation_date"] = [
            step.deprecation_date.isoformat() if step.deprecation_date else "",
            retires.isoformat() if retires else "",
        ]
        ModelStep.objects.filter(pk=step.pk).update(deprecation_date=retires)
    CostModel.objects.filter(pk=cost_model.pk).update(revision=F("revision") + 1, updated_at=timezone.now())
    changes["catalogue prices of"] = price_row.effective_date.isoformat()
    activity_record(
        actor=None,
        verb="model_retirement_dated",
        project=project,
        obj=cost_model,
        object_repr=f"{price.model} ({price.provider})",
        changes=changes,
    )
    readiness_refresh(project=project)
    return True


def _check_live(project, price_row, price, report: DriftReport, *, sole_provider: bool) -> None:
    if _retirement_put(project, price_row, price, sole_provider=sole_provider):
        report.retirements_refreshed.append(project.pk)
    live = export_scope(project)
    result = recost(live["cost_model"], price, project_currency=live["project"]["currency"])
    if result.refused:
        report.refused[project.pk] = result.refused
        return
    if not result.changed:
        return
    before, after = _launch_cost(live["cost_model"]), _launch_cost(result.cost_model)
    drift = _record(
        project, PriceDrift.Kind.RECOSTED, price_row, price, model=price.model, launch_cost_per_use=[before, after]
    )
    if drift is None:
        return
    report.recosted.append(project.pk)
    activity_record(
        actor=None,
        verb="price_drift_recosted",
        project=project,
        object_repr=f"{price.model} ({price.provider})",
        changes={"launch cost per use": [before, after], "catalogue prices of": price_row.effective_date.isoformat()},
    )


def _check_signed(project, version: ScopeVersion, price_row, price, report: DriftReport) -> None:
    signed = as_mapping(version.scope.get("cost_model"))
    currency = as_mapping(version.scope.get("project")).get("currency") or ""
    result = recost(signed, price, project_currency=currency)
    if result.cost_model is not None and result.changed:
        check = envelope_check(signed, result.cost_model)
        if check.left_envelope:
            drift = _record(
                project,
                PriceDrift.Kind.ENVELOPE,
                price_row,
                price,
                version=version,
                model=price.model,
                signed_cost_per_use=decimal_string(check.signed_cost_per_use),
                envelope_top=decimal_string(check.envelope_top),
                new_cost_per_use=decimal_string(check.new_cost_per_use),
                currency=str(signed.get("currency") or currency),
            )
            if drift is not None:
                report.alerts.append(drift)
    handover = as_date(as_mapping(version.scope.get("ownership")).get("handover_date"))
    references = [model_reference(signed.get("model"))] + [
        step_reference(as_mapping(step)) for step in signed.get("steps") or []
    ]
    if retired_before(price, handover) and any(uses(reference, price) for reference in references):
        drift = _record(
            project,
            PriceDrift.Kind.RETIRED,
            price_row,
            price,
            version=version,
            model=price.model,
            deprecation_date=price.deprecation_date.isoformat(),
            handover_date=handover.isoformat(),
        )
        if drift is not None:
            report.alerts.append(drift)


def price_drift_check() -> DriftReport:
    """Re-cost every scope whose catalogue model's prices changed; alert signed scopes that left their envelope.

    Only scopes with a model step that names a catalogue model are read (one query finds them), so a catalogue of
    thousands of models and a pipeline of thousands of scopes cost one pass, not a product of the two. A draft's
    steps also get the catalogue's retirement date of their model (``_retirement_put``).
    """
    report = DriftReport()
    catalogue = latest_catalogue()
    if not catalogue:
        return report
    candidates: dict[int, list[tuple[ModelPrice, CataloguePrice]]] = {}
    steps = ModelStep.objects.exclude(model="").values_list("cost_model__project_id", "model", "provider")
    for project_id, model_text, provider in steps:
        reference = step_reference({"model": model_text, "provider": provider})
        matches = [pair for pair in catalogue.get(reference.model, []) if uses(reference, pair[1])]
        known = candidates.setdefault(project_id, [])
        known.extend(pair for pair in matches if pair not in known)  # two steps may call the same model
    candidates = {project_id: matches for project_id, matches in candidates.items() if matches}
    projects = (
        DiscoveryProject.objects.filter(pk__in=candidates)
        .exclude(stage=Stage.ARCHIVED)
        .select_related("client", "lead_consultant")
    )
    for project in projects:
        report.scopes_using_catalogue += 1
        for price_row, price in candidates[project.pk]:
            try:
                sole_provider = len(catalogue[price.model]) == 1
                _check_live(project, price_row, price, report, sole_provider=sole_provider)
                if project.stage == Stage.SIGNED_OFF:
                    version = ScopeVersion.objects.filter(project=project).order_by("-number").first()
                    if version is not None:
                        _check_signed(project, version, price_row, price, report)
            except Exception:  # one odd scope must not stop the watch over the others
                logger.exception("The drift check of project %s failed", project.pk)
                report.refused[project.pk] = "the check failed; see the log"
    for drift in report.alerts:
        notify_price_drift(drift=drift)
    return report
