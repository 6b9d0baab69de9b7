"""Security & access: Who may do what, what is recorded, and where the data goes."""

from __future__ import annotations

from scoping.scope.fields import SectionSpec, choice, choice_list, long_text, rows, text, yes_no

SECTION = SectionSpec(
    "security",
    "Security & access",
    "Who may do what, what is recorded, and where the data goes.",
    fields=(
        choice(
            "data_classification",
            "Data classification",
            "The most sensitive data the system handles, on your own classification scale.",
        ),
        yes_no("personal_data", "Personal data", "Does the system process information about identifiable people?"),
        long_text(
            "personal_data_types",
            "Which personal data",
            "If any: which personal data, about whom. Example: “Names and e-mail addresses of supplier contacts”.",
        ),
        choice_list(
            "regimes",
            "Rules and standards",
            "Regulations and standards this system must meet, e.g. GDPR, SOC 2. Tick every one that applies.",
        ),
        choice(
            "eu_ai_act_risk",
            "EU AI Act risk class",
            "The system's risk class under the EU AI Act. Most back-office assistants are minimal or limited; "
            "hiring, credit scoring and medical uses can be high.",
        ),
        choice("authentication", "Sign-in", "How people sign in to use the system."),
        long_text(
            "audit_trail",
            "Audit trail",
            "What is recorded about who did what and when, where, and for how long. Example: “Every proposal, "
            "acceptance and edit is stored with user and time in the ERP audit log for seven years.”",
        ),
        text(
            "model_provider",
            "Model provider",
            "Who runs the model, and where. Example: “Azure OpenAI, EU region” or “Self-hosted open-weights model "
            "in our cloud account”.",
        ),
        text("data_residency", "Data residency", "Where data is stored and processed. Example: “UK” or “EU only”."),
        yes_no(
            "vendor_training_opt_out",
            "Vendor does not train on our data",
            "Is it confirmed in writing that the model vendor does not train on your data?",
        ),
        long_text(
            "threats",
            "Threats and defences",
            "Specific ways the system could be abused, and the defence. Example: “Invoices may contain "
            "instructions in their text; extracted text is treated as data only.”",
        ),
        rows(
            "access_roles",
            "Access roles",
            noun="access role",
            help="Who may use, change and operate the system, role by role.",
            fields=(
                text("role", "Role", "Name of the role. Example: “AP clerk”."),
                text("who", "Who", "The people or group who hold it. Example: “Accounts payable”."),
                long_text(
                    "permissions",
                    "May see and do",
                    "What they can see and do, and what not. Example: “Review and edit proposals; no pipeline "
                    "settings”.",
                ),
            ),
        ),
    ),
)
