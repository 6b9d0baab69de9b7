"""Cost model: Cost per use at volume, against the value per use, so volume cannot silently break the economics."""

from __future__ import annotations

from scoping.scope.fields import (
    TOKENS_MAX,
    VOLUME_MAX,
    FieldSpec,
    SectionSpec,
    count,
    currency,
    day,
    group,
    money,
    percent,
    quantity,
    rows,
    text,
)

# Tokens per call read the same in a /1 cost model and in each /2 model step.
INPUT_TOKENS = count(
    "input_tokens",
    "Input tokens per call",
    "Average tokens sent per call, instructions and context included. Example: 3000.",
    max_value=TOKENS_MAX,
    at_least_one=True,
)
OUTPUT_TOKENS = count(
    "output_tokens",
    "Output tokens per call",
    "Average tokens the model writes per call. Example: 400.",
    max_value=TOKENS_MAX,
    at_least_one=True,
)

# The per-call fields of a /1 cost model (``firstslice.scope/1``). A /2 cost model holds them per model step instead;
# they stay described here because /1 files are still read (and upgraded) and frozen /1 versions still printed.
PER_CALL_FIELDS: tuple[FieldSpec, ...] = (
    text("model", "Model", "The model the prices belong to. Example: “gpt-4.1-mini” or “self-hosted 8B model”."),
    count(
        "calls_per_use",
        "Model calls per use",
        "How many model calls one use makes. Example: 2, for one extraction call and one coding call.",
        at_least_one=True,
    ),
    INPUT_TOKENS,
    OUTPUT_TOKENS,
    percent(
        "cached_share_pct",
        "Cached share of input (%)",
        "Percentage of input tokens served from the provider's prompt cache, 0–100. Example: 40.",
        print_label="Cached share of input",
    ),
    money(
        "input_price",
        "Input price per 1M tokens",
        "Price per million input tokens. Example: 0.40.",
        print_label="Input price",
    ),
    money(
        "cached_input_price",
        "Cached input price per 1M tokens",
        "Price per million cached input tokens. Example: 0.10.",
        print_label="Cached input price",
    ),
    money(
        "output_price",
        "Output price per 1M tokens",
        "Price per million output tokens. Example: 1.60.",
        print_label="Output price",
    ),
)

STEPS = rows(
    "steps",
    "Model steps",
    noun="model step",
    help="Each kind of model call one use makes, in order: e.g. classify with a small model, then extract with a "
    "large one. Picking a model from the price catalogue fills a step's prices.",
    fields=(
        text("name", "Step name", "What the step does. Example: “Classify the document”."),
        text("provider", "Provider", "Example: “OpenAI”, “Anthropic”, “self-hosted”."),
        text("model", "Model", "The model the step calls. Example: “gpt-4.1-mini”."),
        count(
            "calls_per_use",
            "Calls per use",
            "How many calls of this step one use makes. Example: 1.",
            at_least_one=True,
        ),
        INPUT_TOKENS,
        OUTPUT_TOKENS,
        count(
            "reasoning_tokens",
            "Reasoning tokens per call",
            "Tokens a reasoning model thinks before answering, billed but not shown. 0 for other models.",
            max_value=TOKENS_MAX,
        ),
        percent(
            "cached_share_pct",
            "Cached share of input (%)",
            "Percentage of input tokens read from the provider's prompt cache, 0–100. Example: 40.",
            print_label="Cached share of input",
        ),
        percent(
            "cache_write_share_pct",
            "Share of input written to the cache (%)",
            "Percentage of input tokens written to the prompt cache (billed at the cache-write price). Cached and "
            "written shares together are at most 100.",
            print_label="Written to the cache",
        ),
        money("input_price", "Input price per 1M tokens", "Example: 0.40.", print_label="Input price"),
        money("cached_input_price", "Cached input price per 1M tokens", "Example: 0.10.", print_label="Cached input"),
        money(
            "cache_write_price",
            "Cache-write price per 1M tokens",
            "Blank costs nothing while no input is written to the cache.",
            print_label="Cache write",
        ),
        money("output_price", "Output price per 1M tokens", "Example: 1.60.", print_label="Output price"),
        money(
            "reasoning_price",
            "Reasoning price per 1M tokens",
            "Blank: the output price.",
            print_label="Reasoning price",
        ),
        percent(
            "batch_share_pct",
            "Share of calls sent as batch (%)",
            "Calls that can wait for the provider's batch queue, 0–100. Example: 60 for overnight work.",
            print_label="Sent as batch",
        ),
        percent(
            "batch_discount_pct",
            "Batch discount (%)",
            "The provider's discount on batch calls. Example: 50.",
            print_label="Batch discount",
        ),
        day(
            "deprecation_date",
            "Model retired on",
            "The provider's retirement date for this model; copied from the price catalogue when it is picked.",
        ),
    ),
)

LOAD_AND_RESIDENCY: tuple[FieldSpec, ...] = (
    percent(
        "residency_uplift_pct",
        "Data-residency uplift (%)",
        "Extra the provider charges for processing in a region (e.g. EU data zone). Example: 10.",
        print_label="Residency uplift",
    ),
    percent(
        "peak_share_pct",
        "Peak share of the month's uses (%)",
        "How concentrated the busiest minute is, as a share of a month's uses spread evenly. Example: 5.",
        print_label="Peak share",
    ),
    count(
        "rate_limit_rpm",
        "Rate limit (requests a minute)",
        "The provider's request limit on your account, if stated. Blank: not checked.",
        max_value=10**9,
    ),
    count(
        "rate_limit_tpm",
        "Rate limit (tokens a minute)",
        "The provider's token limit a minute, if stated. Blank: not checked.",
        max_value=10**12,
    ),
)

SELF_HOSTED = group(
    "self_hosted",
    "Self-hosted alternative",
    attr_prefix="self_hosted_",
    fields=(
        count("gpu_count", "Number of GPUs", "GPUs the self-hosted model would need. Blank: no comparison."),
        money("gpu_hourly_rate", "GPU hourly rate", "Cost of one GPU an hour. Example: 2.50.", print_label="GPU rate"),
        count(
            "tokens_per_second_per_gpu",
            "Tokens a second per GPU",
            "Throughput one GPU sustains. Example: 1500.",
            max_value=TOKENS_MAX,
            print_label="Throughput per GPU",
        ),
        percent(
            "utilisation_pct",
            "Utilisation (%)",
            "Share of the hours the GPUs do useful work. Example: 60.",
            print_label="Utilisation",
        ),
        quantity(
            "ops_hours_per_month",
            "Operations hours a month",
            "Hours a month to run the model yourself, at the maintenance rate. Example: 20.",
            what="a number of hours such as 20",
            print_label="Operations",
        ),
    ),
)

SECTION = SectionSpec(
    "cost_model",
    "Cost model",
    "Cost per use at volume, against the value per use, so volume cannot silently break the economics.",
    fields=(
        currency(
            "currency",
            "Currency",
            "ISO 4217 code of every amount below, e.g. EUR, GBP, USD. Usually the project's currency.",
        ),
        day(
            "prices_as_of",
            "Prices checked on",
            "The date the model prices were checked. Prices older than 180 days are flagged.",
        ),
        STEPS,
        percent(
            "retry_overhead_pct",
            "Retry overhead (%)",
            "Extra calls caused by retries and errors, in percent. Example: 3.",
            print_label="Retry overhead",
        ),
        money(
            "retrieval_per_use",
            "Retrieval cost per use",
            "Cost per use of search, embeddings or other look-ups. Example: 0.002.",
        ),
        money(
            "other_per_use",
            "Other cost per use",
            "Any other cost per use, e.g. OCR or a paid data API. Example: 0.004.",
        ),
        percent(
            "review_rate_pct",
            "Share of uses reviewed (%)",
            "Percentage of uses a person checks, 0–100. Example: 100 when every proposal is reviewed.",
            print_label="Share of uses reviewed",
        ),
        quantity(
            "review_minutes",
            "Minutes per review",
            "Minutes a person spends on one review. Example: 1.",
            what="a number of minutes such as 1.5",
            print_label="Review time",
        ),
        money(
            "reviewer_hourly_rate",
            "Reviewer hourly cost",
            "Full hourly cost of the reviewer, overheads included. Example: 28.",
            print_label="Reviewer cost",
        ),
        money(
            "hosting",
            "Hosting per month",
            "Monthly cost of servers, GPUs and storage. Example: 1100.",
            print_label="Hosting",
        ),
        money(
            "monitoring",
            "Monitoring per month",
            "Monthly cost of monitoring and logging. Example: 150.",
            print_label="Monitoring",
        ),
        money(
            "licences",
            "Licences per month",
            "Monthly software licences the system needs. Example: 0.",
            print_label="Licences",
        ),
        quantity(
            "maintenance_hours",
            "Maintenance hours per month",
            "Hours a month to keep it running: updates, evaluation, fixes. Example: 10.",
            what="a number of hours such as 10",
            print_label="Maintenance",
        ),
        money(
            "maintenance_rate",
            "Maintenance hourly rate",
            "Hourly cost of that maintenance work. Example: 95.",
            print_label="Maintenance rate",
        ),
        quantity(
            "manual_minutes",
            "Manual minutes per use today",
            "Minutes the task takes a person today, per use. Example: 6.",
            what="a number of minutes such as 6",
            print_label="Manual time per use today",
        ),
        money(
            "manual_hourly_rate",
            "Manual hourly cost today",
            "Full hourly cost of the person who does it today. Example: 28.",
            print_label="Manual cost today",
        ),
        money(
            "other_value_per_use",
            "Other value per use",
            "Any other value per use, in money: avoided late fees, faster cash collection. Example: 0.05.",
        ),
        *LOAD_AND_RESIDENCY,
        SELF_HOSTED,
        group(
            "tiers",
            "Uses per month",
            attr_prefix="tier_",
            fields=(
                count(
                    "pilot",
                    "Uses per month: pilot",
                    "Uses per month during the pilot. Example: 1500.",
                    max_value=VOLUME_MAX,
                    print_label="Pilot",
                ),
                count(
                    "launch",
                    "Uses per month: launch",
                    "Uses per month at launch. Example: 6000. The value per use must beat the cost per use here.",
                    max_value=VOLUME_MAX,
                    print_label="Launch",
                ),
                count(
                    "scale",
                    "Uses per month: scale",
                    "Uses per month at full scale. Example: 9000.",
                    max_value=VOLUME_MAX,
                    print_label="Scale",
                ),
            ),
        ),
    ),
)
