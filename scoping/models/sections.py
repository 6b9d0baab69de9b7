"""The eight scope sections, their rows, open questions and accepted risks.

Field names, limits and choices mirror ``scoping.scope.schema`` (the scope JSON contract), so a section saved through
a form always exports as a valid scope. The help texts are what the guided forms show under each field: they say,
in the client's words, what a good answer looks like, with a short example from the worked invoice-coding scope.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from scoping.scope.schema import (
    CHOICE_MAX,
    CHOICES,
    COUNT_MAX,
    EMAIL_MAX,
    LONG_TEXT_MAX,
    MONEY_DECIMAL_PLACES,
    MONEY_MAX,
    PERCENT_DECIMAL_PLACES,
    QUANTITY_DECIMAL_PLACES,
    QUANTITY_MAX,
    SHORT_TEXT_MAX,
    TOKENS_MAX,
    VOLUME_MAX,
    WEEKS_MAX,
)

__all__ = [
    "AcceptanceCriterion",
    "AcceptedRisk",
    "AccessRole",
    "CostModel",
    "DataPath",
    "DataSource",
    "FailureMode",
    "FailureModeRegister",
    "FirstSlice",
    "OpenQuestion",
    "Ownership",
    "ProductionTarget",
    "ROW_MODELS",
    "Responsibility",
    "SECTION_MODELS",
    "ScopeRow",
    "ScopeSection",
    "SecurityAccess",
    "SuccessMetric",
    "WorkflowIntegration",
]

PROJECT_MODEL = "scoping.DiscoveryProject"


# Field builders: one place where the scope_schema limits become database columns.


def short_text(verbose_name: Any, help_text: Any) -> models.CharField:
    return models.CharField(verbose_name, max_length=SHORT_TEXT_MAX, blank=True, help_text=help_text)


def long_text(verbose_name: Any, help_text: Any) -> models.TextField:
    # max_length on a TextField is enforced by the model form field, not by the database.
    return models.TextField(verbose_name, max_length=LONG_TEXT_MAX, blank=True, help_text=help_text)


def choice(verbose_name: Any, choices_key: str, help_text: Any, default: str = "") -> models.CharField:
    return models.CharField(
        verbose_name,
        max_length=CHOICE_MAX,
        choices=CHOICES[choices_key],
        blank=True,
        default=default,
        help_text=help_text,
    )


def count(verbose_name: Any, help_text: Any, max_value: int = COUNT_MAX) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        verbose_name, null=True, blank=True, validators=[MaxValueValidator(max_value)], help_text=help_text
    )


def volume(verbose_name: Any, help_text: Any) -> models.PositiveBigIntegerField:
    return models.PositiveBigIntegerField(
        verbose_name, null=True, blank=True, validators=[MaxValueValidator(VOLUME_MAX)], help_text=help_text
    )


def money(verbose_name: Any, help_text: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=20,
        decimal_places=MONEY_DECIMAL_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MONEY_MAX)],
        help_text=help_text,
    )


def percent(verbose_name: Any, help_text: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=6,
        decimal_places=PERCENT_DECIMAL_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=help_text,
    )


def quantity(verbose_name: Any, help_text: Any) -> models.DecimalField:
    """Minutes or hours: decimals, because a review can take half a minute."""
    return models.DecimalField(
        verbose_name,
        max_digits=10,
        decimal_places=QUANTITY_DECIMAL_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(QUANTITY_MAX)],
        help_text=help_text,
    )


def yes_no(verbose_name: Any, help_text: Any) -> models.BooleanField:
    """Three states: yes, no, and not answered yet (null), so an unanswered question is not read as 'no'."""
    return models.BooleanField(verbose_name, null=True, blank=True, help_text=help_text)


def day(verbose_name: Any, help_text: Any) -> models.DateField:
    return models.DateField(verbose_name, null=True, blank=True, help_text=help_text)


def validate_regimes(value: object) -> None:
    """Keep the JSON list to known regime values, as the scope JSON requires."""
    known = [choice_value for choice_value, _label in CHOICES["regimes"]]
    if not isinstance(value, list) or any(item not in known for item in value):
        raise ValidationError(
            _("Choose regimes from: %(known)s."), code="invalid_regimes", params={"known": ", ".join(known)}
        )


class ScopeSection(models.Model):
    """One guided step of the scope. ``revision`` makes concurrent saves detectable (optimistic locking)."""

    section_key: ClassVar[str] = ""

    revision = models.PositiveIntegerField(
        default=0, help_text="Goes up by one on every save; a save made from an older revision is a conflict."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} of project {self.project_id}"  # type: ignore[attr-defined]


class ScopeRow(models.Model):
    """A row in a section's table; ``position`` keeps the order people gave them."""

    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ("position", "id")


# --- 1. Production target --------------------------------------------------------------------------------------


class ProductionTarget(ScopeSection):
    """The production system decided before the pilot: one workflow, end to end, at real volume."""

    section_key = "production_target"

    project = models.OneToOneField(PROJECT_MODEL, on_delete=models.CASCADE, related_name="production_target")
    problem_statement = long_text(
        _("Problem statement"),
        _(
            "The business problem in your own words, with a number that shows its size. Name no technology here. "
            "Example: “AP codes 9,000 invoices a month by hand; month-end close slips two days.”"
        ),
    )
    workflow_name = short_text(
        _("Workflow"),
        _(
            "Name ONE workflow that the system will run end to end in production: a job someone does today, not a "
            "capability like “AI for finance”. Example: “Code incoming supplier invoices to GL account and cost "
            "centre before approval.”"
        ),
    )
    workflow_trigger = long_text(
        _("What starts it"),
        _("The event that starts one run of the workflow. Example: “An invoice PDF arrives in the AP mailbox.”"),
    )
    workflow_steps = long_text(
        _("Steps"),
        _(
            "The steps from trigger to result as they will run in production, and where the AI takes part. "
            "Example: “1. Invoice captured. 2. Lines extracted. 3. Model proposes the coding. 4. Clerk accepts or "
            "edits. 5. Invoice goes to approval.”"
        ),
    )
    users = short_text(_("Users"), _("Who uses the output day to day, by role. Example: “Accounts payable clerks”."))
    user_count = count(_("Number of users"), _("How many people will use it in production. Example: 7."))
    ai_role = choice(
        _("Role of the AI"),
        "ai_role",
        _(
            "What the AI does in the workflow. Automate: it acts on its own. Augment: it proposes and a person "
            "decides. Triage: it sorts and routes work. Draft: it writes a first version that a person finishes."
        ),
    )
    volume_per_month = volume(
        _("Uses per month in production"),
        _(
            "How many times a month the workflow runs at full production. One use is one run, e.g. one invoice. "
            "Example: 9000. The cost model is built on this number."
        ),
    )
    latency_target = short_text(
        _("Speed target"),
        _("How fast a result must arrive to be useful. Example: “Proposal within 15 minutes of arrival”."),
    )
    availability_target = short_text(
        _("Availability target"),
        _("When it must be up, and how reliably. Example: “99% on working days, 07:00–19:00”."),
    )
    definition_of_production = long_text(
        _("What “in production” means"),
        _(
            "A state anyone can check, not a date. Example: “All supplier invoices arrive in the ERP pre-coded; "
            "clerks only review.”"
        ),
    )
    out_of_scope = long_text(
        _("Out of scope"),
        _(
            "What the production system will deliberately not do, so nobody assumes it will. Example: “Payment "
            "runs; supplier onboarding.”"
        ),
    )

    class Meta:
        verbose_name = _("production target")
        verbose_name_plural = _("production targets")


class SuccessMetric(ScopeRow):
    production_target = models.ForeignKey(ProductionTarget, on_delete=models.CASCADE, related_name="success_metrics")
    metric = short_text(
        _("Metric"),
        _("A measure the business already tracks or cares about. Example: “Minutes of clerk time per invoice”."),
    )
    baseline = short_text(_("Baseline today"), _("Today's value, measured rather than guessed. Example: “6”."))
    target = short_text(_("Target"), _("The value that makes production worth it. Example: “1.5”."))
    measured_by = short_text(
        _("Measured by"),
        _("Where the number comes from, so nobody argues about it later. Example: “ERP activity log”."),
    )

    class Meta(ScopeRow.Meta):
        verbose_name = _("success metric")
        verbose_name_plural = _("success metrics")

    def __str__(self) -> str:
        return self.metric or f"Success metric {self.position + 1}"


# --- 2. First slice --------------------------------------------------------------------------------------------


class FirstSlice(ScopeSection):
    """The pilot, built as the first real slice of the production system rather than a demo."""

    section_key = "first_slice"

    project = models.OneToOneField(PROJECT_MODEL, on_delete=models.CASCADE, related_name="first_slice")
    description = long_text(
        _("The slice"),
        _(
            "The pilot as the first real slice of the production system: a narrow cut that runs end to end on real "
            "data through the real integrations, not a demo. Example: “Invoices from the top 40 suppliers, end to "
            "end into the ERP approval queue.”"
        ),
    )
    users = short_text(_("Users in the slice"), _("Who uses the slice. Example: “Two AP clerks”."))
    in_scope = long_text(
        _("In scope"),
        _("Exactly which cases the slice handles. Example: “PDF invoices in English from the top 40 suppliers.”"),
    )
    out_of_scope = long_text(
        _("Left for later"),
        _("Cases the slice leaves out on purpose. Example: “Paper invoices; credit notes.”"),
    )
    carries_forward = long_text(
        _("What carries forward to production"),
        _(
            "What is built in the slice and kept in production: pipelines, integrations, labelled data, tests. If "
            "nothing carries forward, it is a demo. Example: “Extraction pipeline, ERP integration and the labelled "
            "invoice set.”"
        ),
    )
    duration_weeks = count(
        _("Duration (weeks)"),
        _("How long the slice runs. Example: 8. Longer than 12 weeks is flagged: long pilots tend to stall."),
        max_value=WEEKS_MAX,
    )
    pilot_volume_per_month = volume(
        _("Uses per month in the slice"), _("How many uses a month the slice handles. Example: 1500.")
    )
    exit_criteria = long_text(
        _("Exit criteria"),
        _(
            "What must be true to move from the slice to full production. Example: “95% of lines accepted without "
            "edit for three weeks.”"
        ),
    )
    decision_owner = short_text(
        _("Go / no-go decided by"),
        _("The person who decides at the end of the slice. Example: “Finance Director”."),
    )

    class Meta:
        verbose_name = _("first slice")
        verbose_name_plural = _("first slices")


class AcceptanceCriterion(ScopeRow):
    first_slice = models.ForeignKey(FirstSlice, on_delete=models.CASCADE, related_name="acceptance_criteria")
    criterion = short_text(_("Criterion"), _("What is checked. Example: “Lines accepted without edit”."))
    threshold = short_text(_("Threshold"), _("The bar the slice must clear. Example: “at least 95%”."))
    measured_by = short_text(_("Measured by"), _("How it is measured. Example: “ERP edit events”."))

    class Meta(ScopeRow.Meta):
        verbose_name = _("acceptance criterion")
        verbose_name_plural = _("acceptance criteria")

    def __str__(self) -> str:
        return self.criterion or f"Acceptance criterion {self.position + 1}"


# --- 3. Data path ----------------------------------------------------------------------------------------------


class DataPath(ScopeSection):
    """How production data flows in automatically: a data path, not an export prepared by hand for the demo."""

    section_key = "data_path"

    project = models.OneToOneField(PROJECT_MODEL, on_delete=models.CASCADE, related_name="data_path")
    pipeline = long_text(
        _("Pipeline"),
        _(
            "How production data gets from its sources into the system without anyone preparing it by hand, and "
            "where results go. Example: “Mailbox and portal connectors push PDFs to object storage; extraction runs "
            "on arrival; results are posted to the ERP API.”"
        ),
    )
    quality_checks = long_text(
        _("Data-quality checks"),
        _(
            "Automatic checks that stop bad data before it reaches the model. Example: “Totals reconcile with line "
            "sums; the supplier VAT number must match the vendor master.”"
        ),
    )
    ground_truth = long_text(
        _("Ground truth"),
        _(
            "Where the correct answers come from, to measure and improve accuracy. Example: “Final coding after "
            "clerk review, taken from the ERP nightly.”"
        ),
    )
    retention = long_text(
        _("Retention"),
        _(
            "How long inputs, outputs and logs are kept, and why. Example: “Seven years with the invoice, per tax "
            "rules.”"
        ),
    )

    class Meta:
        verbose_name = _("data path")
        verbose_name_plural = _("data paths")


class DataSource(ScopeRow):
    data_path = models.ForeignKey(DataPath, on_delete=models.CASCADE, related_name="sources")
    name = short_text(_("Data"), _("What the data is. Example: “Supplier invoices”."))
    system = short_text(_("System"), _("Where it lives. Example: “AP mailbox and supplier portal”."))
    owner = short_text(_("Data owner"), _("Who grants access and answers for its quality. Example: “AP team lead”."))
    kind = choice(_("Kind"), "kind", _("What sort of data it is."))
    volume = short_text(_("Volume"), _("How much, in words. Example: “9,000/month” or “3,200 vendors”."))
    sensitivity = choice(_("Sensitivity"), "sensitivity", _("How sensitive the data is, on your own classification."))
    personal_data = yes_no(_("Personal data"), _("Does it contain information about identifiable people?"))
    access_method = choice(
        _("Access method"),
        "access_method",
        _(
            "How the production system reads it. A manual export is data prepared by hand: fine for a demo, a "
            "blocker for production."
        ),
    )
    refresh = choice(
        _("Refresh"),
        "refresh",
        _("How often new data arrives. “One-off” is a snapshot, which cannot feed a production system."),
    )
    access_status = choice(_("Access today"), "access_status", _("Can the team actually reach this data today?"))
    used_in_production = yes_no(
        _("Used in production"),
        _("Will the production system read this source? Say no for data used only to train or test."),
    )

    class Meta(ScopeRow.Meta):
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")

    def __str__(self) -> str:
        return self.name or f"Data source {self.position + 1}"


# --- 4. Failure modes ------------------------------------------------------------------------------------------


class FailureModeRegister(ScopeSection):
    """The failure-mode register: what goes wrong, how it is noticed and what happens then."""

    section_key = "failure_modes"

    project = models.OneToOneField(PROJECT_MODEL, on_delete=models.CASCADE, related_name="failure_modes")
    human_in_the_loop = long_text(
        _("Human in the loop"),
        _(
            "When a person checks or overrides the output. Example: “A clerk reviews every proposal; lines above "
            "£10,000 need a second reviewer.”"
        ),
    )
    evaluation_plan = long_text(
        _("Evaluation plan"),
        _(
            "How accuracy is measured before launch and watched after it. Example: “Monthly replay of 500 coded "
            "invoices; accuracy per supplier tracked.”"
        ),
    )

    class Meta:
        verbose_name = _("failure-mode register")
        verbose_name_plural = _("failure-mode registers")


class FailureMode(ScopeRow):
    register = models.ForeignKey(FailureModeRegister, on_delete=models.CASCADE, related_name="items")
    scenario = long_text(
        _("What goes wrong"),
        _(
            "A concrete failure. Example: “Wrong GL account proposed”. List at least three, including one where the "
            "model is simply wrong."
        ),
    )
    category = choice(
        _("Category"),
        "category",
        _("The kind of failure. “Model error” and “Hallucination” are the cases where the model is wrong."),
    )
    likelihood = choice(_("Likelihood"), "likelihood", _("How likely it is to happen in a normal month."))
    impact = choice(
        _("Impact"),
        "impact",
        _("How bad it is when it happens. High and critical failures need both detection and handling."),
    )
    detection = long_text(
        _("How it is detected"),
        _("How you will notice: an alert, a check or a person. Example: “Queue age alert over 30 minutes”."),
    )
    handling = long_text(
        _("How it is handled"),
        _(
            "What happens then, and who does it. Example: “Invoices queue and post when the API returns; manual "
            "coding if the outage passes 4 hours”."
        ),
    )
    owner = short_text(_("Owner"), _("Who acts when it happens. Example: “Finance systems on call”."))

    class Meta(ScopeRow.Meta):
        verbose_name = _("failure mode")
        verbose_name_plural = _("failure modes")

    def __str__(self) -> str:
        return self.scenario[:80] or f"Failure mode {self.position + 1}"


# --- 5. Security and access ------------------------------------------------------------------------------------


class SecurityAccess(ScopeSection):
    """Who may do what, what is recorded, and where the data goes."""

    section_key = "security"

    project = models.OneToOneField(PROJECT_MODEL, on_delete=models.CASCADE, related_name="security")
    data_classification = choice(
        _("Data classification"),
        "data_classification",
        _("The most sensitive data the system handles, on your own classification scale."),
    )
    personal_data = yes_no(_("Personal data"), _("Does the system process information about identifiable people?"))
    personal_data_types = long_text(
        _("Which personal data"),
        _("If any: which personal data, about whom. Example: “Names and e-mail addresses of supplier contacts”."),
    )
    regimes = models.JSONField(
        _("Rules and standards"),
        default=list,
        blank=True,
        validators=[validate_regimes],
        help_text=_("Regulations and standards this system must meet, e.g. GDPR, SOC 2. Tick every one that applies."),
    )
    eu_ai_act_risk = choice(
        _("EU AI Act risk class"),
        "eu_ai_act_risk",
        _(
            "The system's risk class under the EU AI Act. Most back-office assistants are minimal or limited; "
            "hiring, credit scoring and medical uses can be high."
        ),
    )
    authentication = choice(_("Sign-in"), "authentication", _("How people sign in to use the system."))
    audit_trail = long_text(
        _("Audit trail"),
        _(
            "What is recorded about who did what and when, where, and for how long. Example: “Every proposal, "
            "acceptance and edit is stored with user and time in the ERP audit log for seven years.”"
        ),
    )
    model_provider = short_text(
        _("Model provider"),
        _(
            "Who runs the model, and where. Example: “Azure OpenAI, EU region” or “Self-hosted open-weights model in "
            "our cloud account”."
        ),
    )
    data_residency = short_text(
        _("Data residency"), _("Where data is stored and processed. Example: “UK” or “EU only”.")
    )
    vendor_training_opt_out = yes_no(
        _("Vendor does not train on our data"),
        _("Is it confirmed in writing that the model vendor does not train on your data?"),
    )
    threats = long_text(
        _("Threats and defences"),
        _(
            "Specific ways the system could be abused, and the defence. Example: “Invoices may contain instructions "
            "in their text; extracted text is treated as data only.”"
        ),
    )

    class Meta:
        verbose_name = _("security and access")
        verbose_name_plural = _("security and access")


class AccessRole(ScopeRow):
    security = models.ForeignKey(SecurityAccess, on_delete=models.CASCADE, related_name="access_roles")
    role = short_text(_("Role"), _("Name of the role. Example: “AP clerk”."))
    who = short_text(_("Who"), _("The people or group who hold it. Example: “Accounts payable”."))
    permissions = long_text(
        _("May see and do"),
        _("What they can see and do, and what not. Example: “Review and edit proposals; no pipeline settings”."),
    )

    class Meta(ScopeRow.Meta):
        verbose_name = _("access role")
        verbose_name_plural = _("access roles")

    def __str__(self) -> str:
        return self.role or f"Access role {self.position + 1}"


# --- 6. Cost model ---------------------------------------------------------------------------------------------


class CostModel(ScopeSection):
    """Cost per use at volume, against the value per use, so volume cannot silently break the economics."""

    section_key = "cost_model"

    project = models.OneToOneField(PROJECT_MODEL, on_delete=models.CASCADE, related_name="cost_model")
    currency = models.CharField(
        _("Currency"),
        max_length=3,
        blank=True,
        help_text=_("ISO 4217 code of every amount below, e.g. EUR, GBP, USD. Usually the project's currency."),
    )
    prices_as_of = day(
        _("Prices checked on"), _("The date the model prices were checked. Prices older than 180 days are flagged.")
    )
    model = short_text(
        _("Model"), _("The model the prices belong to. Example: “gpt-4.1-mini” or “self-hosted 8B model”.")
    )
    calls_per_use = count(
        _("Model calls per use"),
        _("How many model calls one use makes. Example: 2, for one extraction call and one coding call."),
    )
    input_tokens = count(
        _("Input tokens per call"),
        _("Average tokens sent per call, instructions and context included. Example: 3000."),
        max_value=TOKENS_MAX,
    )
    output_tokens = count(
        _("Output tokens per call"), _("Average tokens the model writes per call. Example: 400."), max_value=TOKENS_MAX
    )
    cached_share_pct = percent(
        _("Cached share of input (%)"),
        _("Percentage of input tokens served from the provider's prompt cache, 0–100. Example: 40."),
    )
    input_price = money(_("Input price per 1M tokens"), _("Price per million input tokens. Example: 0.40."))
    cached_input_price = money(
        _("Cached input price per 1M tokens"), _("Price per million cached input tokens. Example: 0.10.")
    )
    output_price = money(_("Output price per 1M tokens"), _("Price per million output tokens. Example: 1.60."))
    retry_overhead_pct = percent(
        _("Retry overhead (%)"), _("Extra calls caused by retries and errors, in percent. Example: 3.")
    )
    retrieval_per_use = money(
        _("Retrieval cost per use"), _("Cost per use of search, embeddings or other look-ups. Example: 0.002.")
    )
    other_per_use = money(
        _("Other cost per use"), _("Any other cost per use, e.g. OCR or a paid data API. Example: 0.004.")
    )
    review_rate_pct = percent(
        _("Share of uses reviewed (%)"),
        _("Percentage of uses a person checks, 0–100. Example: 100 when every proposal is reviewed."),
    )
    review_minutes = quantity(_("Minutes per review"), _("Minutes a person spends on one review. Example: 1."))
    reviewer_hourly_rate = money(
        _("Reviewer hourly cost"), _("Full hourly cost of the reviewer, overheads included. Example: 28.")
    )
    hosting = money(_("Hosting per month"), _("Monthly cost of servers, GPUs and storage. Example: 1100."))
    monitoring = money(_("Monitoring per month"), _("Monthly cost of monitoring and logging. Example: 150."))
    licences = money(_("Licences per month"), _("Monthly software licences the system needs. Example: 0."))
    maintenance_hours = quantity(
        _("Maintenance hours per month"),
        _("Hours a month to keep it running: updates, evaluation, fixes. Example: 10."),
    )
    maintenance_rate = money(_("Maintenance hourly rate"), _("Hourly cost of that maintenance work. Example: 95."))
    manual_minutes = quantity(
        _("Manual minutes per use today"), _("Minutes the task takes a person today, per use. Example: 6.")
    )
    manual_hourly_rate = money(
        _("Manual hourly cost today"), _("Full hourly cost of the person who does it today. Example: 28.")
    )
    other_value_per_use = money(
        _("Other value per use"),
        _("Any other value per use, in money: avoided late fees, faster cash collection. Example: 0.05."),
    )
    tier_pilot = volume(_("Uses per month: pilot"), _("Uses per month during the pilot. Example: 1500."))
    tier_launch = volume(
        _("Uses per month: launch"),
        _("Uses per month at launch. Example: 6000. The value per use must beat the cost per use here."),
    )
    tier_scale = volume(_("Uses per month: scale"), _("Uses per month at full scale. Example: 9000."))

    class Meta:
        verbose_name = _("cost model")
        verbose_name_plural = _("cost models")


# --- 7. Workflow -----------------------------------------------------------------------------------------------


class WorkflowIntegration(ScopeSection):
    """Where the output lands and who acts on it: the path into a real workflow."""

    section_key = "workflow"

    project = models.OneToOneField(PROJECT_MODEL, on_delete=models.CASCADE, related_name="workflow")
    output_destination = short_text(
        _("Where the output lands"),
        _(
            "The screen, system or queue where people already work and find the output. Example: “Coding fields of "
            "the invoice in the ERP”."
        ),
    )
    integration = choice(
        _("Integration"),
        "integration",
        _(
            "How the output gets there. API or embedded puts it where people already work; a standalone UI or a "
            "file export asks them to go somewhere else, and is flagged."
        ),
    )
    acting_role = short_text(_("Who acts on it"), _("The role that acts on the output. Example: “AP clerk”."))
    action = long_text(
        _("What they do"),
        _("What they do with the output. Example: “Accepts or edits the coding, then releases the invoice.”"),
    )
    feedback_loop = long_text(
        _("Feedback loop"),
        _(
            "How corrections flow back to improve the system. Example: “Edits are pulled nightly into the labelled "
            "set.”"
        ),
    )
    change_management = long_text(
        _("Change management"),
        _("How people learn the new way of working. Example: “One-hour walkthrough; a clerk champion.”"),
    )
    fallback = long_text(
        _("Fallback"),
        _("What happens when the system is down or unsure. Example: “Invoices appear uncoded, as today.”"),
    )

    class Meta:
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")


# --- 8. Ownership ----------------------------------------------------------------------------------------------


class Ownership(ScopeSection):
    """The named people who own the system after the pilot ends."""

    section_key = "ownership"

    project = models.OneToOneField(PROJECT_MODEL, on_delete=models.CASCADE, related_name="ownership")
    business_owner_name = short_text(
        _("Business owner"),
        _(
            "The named person who owns the outcome after the pilot: a person, not a team, and not “TBD”. Example: "
            "“Priya Raman”."
        ),
    )
    business_owner_role = short_text(_("Business owner's role"), _("Example: “Finance Director”."))
    business_owner_email = models.EmailField(
        _("Business owner's e-mail"), max_length=EMAIL_MAX, blank=True, help_text=_("Example: priya@kestrel.example")
    )
    technical_owner_name = short_text(
        _("Technical owner"),
        _("The named person who keeps the system running in production. Example: “Dan Whitfield”."),
    )
    technical_owner_role = short_text(_("Technical owner's role"), _("Example: “Finance Systems Manager”."))
    technical_owner_email = models.EmailField(
        _("Technical owner's e-mail"), max_length=EMAIL_MAX, blank=True, help_text=_("Example: dan@kestrel.example")
    )
    budget_owner = short_text(
        _("Budget owner"), _("The budget that pays the running costs. Example: “Finance operations budget”.")
    )
    support_model = choice(
        _("Support after launch"),
        "support_model",
        _("Who supports the system after launch: your own team, the consultancy, or both."),
    )
    handover_date = day(_("Handover date"), _("When the consultancy hands the system over to its owners."))

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownership")


class Responsibility(ScopeRow):
    ownership = models.ForeignKey(Ownership, on_delete=models.CASCADE, related_name="responsibilities")
    responsibility = short_text(_("Responsibility"), _("A recurring task after launch. Example: “Accuracy review”."))
    owner = short_text(_("Owner"), _("Who does it. Example: “AP team lead”."))
    cadence = short_text(_("How often"), _("Example: “daily”, “monthly”, “after each model update”."))

    class Meta(ScopeRow.Meta):
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self) -> str:
        return self.responsibility or f"Responsibility {self.position + 1}"


# --- Open questions and accepted risks -------------------------------------------------------------------------


class OpenQuestion(models.Model):
    """Something nobody could answer in the session, with who finds out and by when."""

    project = models.ForeignKey(PROJECT_MODEL, on_delete=models.CASCADE, related_name="open_questions")
    question = long_text(
        _("Question"),
        _("One question that needs an answer. Example: “Can the supplier portal push invoices by webhook?”"),
    )
    section = choice(_("Section"), "section", _("The step of the scope the answer affects."))
    owner = short_text(_("Who finds out"), _("The named person who gets the answer. Example: “Dan Whitfield”."))
    due = day(_("Due"), _("When the answer is needed."))
    status = choice(_("Status"), "status", _("Open until answered or dropped."), default="open")
    answer = long_text(_("Answer"), _("The answer, once known, and where it came from."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("id",)
        verbose_name = _("open question")
        verbose_name_plural = _("open questions")

    def __str__(self) -> str:
        return self.question[:80]


class AcceptedRisk(models.Model):
    """A readiness blocker knowingly accepted, with the written reason that is printed in the PDF."""

    project = models.ForeignKey(PROJECT_MODEL, on_delete=models.CASCADE, related_name="accepted_risks")
    code = models.CharField(
        _("Finding code"),
        max_length=SHORT_TEXT_MAX,
        help_text=_("The code of the readiness finding accepted, e.g. data_path.hand_prepared_source."),
    )
    reason = models.TextField(
        _("Reason"),
        max_length=LONG_TEXT_MAX,
        help_text=_(
            "Why it is acceptable to go ahead with this gap, and what limits the risk. Example: “Vendor master is "
            "refreshed by hand weekly until the ERP API access is granted in January.”"
        ),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by_name = models.CharField(
        _("Accepted by"),
        max_length=SHORT_TEXT_MAX,
        blank=True,
        help_text=_("The name of the person who accepted the risk, kept even if their account is removed."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        verbose_name = _("accepted risk")
        verbose_name_plural = _("accepted risks")
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="unique_accepted_risk_per_project")]

    def __str__(self) -> str:
        return self.code


# Section key -> model, in the order of the guided steps.
SECTION_MODELS: dict[str, type[ScopeSection]] = {
    model.section_key: model
    for model in (
        ProductionTarget,
        FirstSlice,
        DataPath,
        FailureModeRegister,
        SecurityAccess,
        CostModel,
        WorkflowIntegration,
        Ownership,
    )
}

# (section key, rows key) -> (row model, name of its foreign key to the section).
ROW_MODELS: dict[tuple[str, str], tuple[type[ScopeRow], str]] = {
    ("production_target", "success_metrics"): (SuccessMetric, "production_target"),
    ("first_slice", "acceptance_criteria"): (AcceptanceCriterion, "first_slice"),
    ("data_path", "sources"): (DataSource, "data_path"),
    ("failure_modes", "items"): (FailureMode, "register"),
    ("security", "access_roles"): (AccessRole, "security"),
    ("ownership", "responsibilities"): (Responsibility, "ownership"),
}
