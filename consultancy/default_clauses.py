"""The starter clause library ``manage.py load_default_clauses`` installs: one clause per category.

Plain-English wording a consultancy delivering an AI engagement can start from. It is not legal advice: every text
says so, and the consultancy's lawyer should review and adapt each one before it goes to a client. Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass

REVIEW_NOTE = (
    "[Starting point: review this wording with your lawyer and adapt it before sending it to a client, then delete "
    "this note.]"
)


@dataclass(frozen=True)
class StarterClause:
    key: str
    title: str
    category: str
    position: int
    text: str


STARTER_CLAUSES: tuple[StarterClause, ...] = (
    StarterClause(
        key="intellectual-property",
        title="Intellectual property",
        category="ip",
        position=10,
        text=(
            "1. Deliverables. When the client has paid the fees for a deliverable in full, the client owns the "
            "deliverable created specifically for it under this statement of work, including the prompts, "
            "evaluation sets, configuration and code written for the engagement.\n"
            "2. Our existing materials. We keep ownership of the tools, libraries, templates, know-how and methods "
            "we had before the engagement or develop independently of it. Where any of them is built into a "
            "deliverable, we grant the client a non-exclusive, perpetual, royalty-free licence to use it as part of "
            "that deliverable.\n"
            "3. Client materials. The client keeps ownership of its data, documents and systems, and licenses them "
            "to us only as far as needed to carry out the engagement.\n"
            "4. Third-party models and services. Models, APIs and open-source components supplied by others are "
            "used under their own licences and terms, which the client accepts by using the deliverables. We "
            "give no ownership of them and no warranty beyond what their providers give.\n"
            "5. Model outputs. As between the parties, outputs the system produces from the client's inputs belong "
            "to the client, subject to the model provider's terms."
        ),
    ),
    StarterClause(
        key="data-processing",
        title="Data protection and processing",
        category="data_processing",
        position=20,
        text=(
            "1. Roles. The client is the controller of the personal data it gives us or lets us access for the "
            "engagement, and we act as its processor, only on its documented instructions, including those in "
            "this statement of work.\n"
            "2. What we do with it. We process personal data only to deliver the engagement, keep it confidential, "
            "restrict access to the people working on it, and protect it with appropriate technical and "
            "organisational measures.\n"
            "3. Model providers. Data is sent only to the model providers, hosting regions and sub-processors named "
            "in the scope. We will not use a new sub-processor without telling the client in advance, and we will "
            "not let any provider use the client's data to train its models where the provider offers that choice.\n"
            "4. Minimisation. We use test or anonymised data wherever it serves the purpose, and real personal data "
            "only where the client agrees it is needed.\n"
            "5. Breaches and requests. We tell the client without undue delay, and within 48 hours, after we become "
            "aware of a personal data breach, and help it answer data subjects' requests.\n"
            "6. End of the engagement. On completion we delete or return the client's personal data, as the client "
            "chooses, unless the law requires us to keep it.\n"
            "Where the law requires a separate data processing agreement, it takes precedence over this clause."
        ),
    ),
    StarterClause(
        key="warranty-and-hypercare",
        title="Warranty and hypercare",
        category="warranty_hypercare",
        position=30,
        text=(
            "1. Our work. We will carry out the engagement with reasonable skill and care, using suitably "
            "experienced people.\n"
            "2. Hypercare. For 30 days after go-live we will fix, at no extra charge, defects in the deliverables "
            "that stop them meeting their agreed acceptance criteria, and answer the client's team's questions "
            "within one working day.\n"
            "3. What AI can and cannot promise. Systems built on language models produce probabilistic output. "
            "Accuracy, cost and speed are warranted only to the levels measured against the agreed evaluation set "
            "at acceptance; we do not warrant that every output will be correct, and the client remains "
            "responsible for the human review the scope describes.\n"
            "4. Outside our control. The warranty does not cover changes by model or cloud providers (price, "
            "behaviour, deprecation or availability), changes made by anyone but us, or use outside the scope. "
            "Work needed because of them is handled through change control.\n"
            "5. Limit. Apart from this clause, and to the extent the law allows, all other warranties are excluded."
        ),
    ),
    StarterClause(
        key="change-control",
        title="Change control",
        category="change_control",
        position=40,
        text=(
            "1. Asking for a change. Either party may ask in writing to change the scope, deliverables, timeline "
            "or assumptions.\n"
            "2. Assessing it. Within five working days we will reply with the effect of the change on the fees, "
            "the timeline, the run costs and any risks. Assessing a change that takes more than half a day is "
            "charged at the day rates in this statement of work, if the client agrees in advance.\n"
            "3. Agreeing it. A change takes effect only when both parties have signed a change note. Until then, "
            "we continue the work as agreed.\n"
            "4. Changes in assumptions. If an assumption or client dependency in this statement of work proves "
            "wrong, or a model provider changes its prices or models, we will raise a change request and the "
            "parties will agree a fair adjustment."
        ),
    ),
    StarterClause(
        key="termination",
        title="Termination",
        category="termination",
        position=50,
        text=(
            "1. For convenience. Either party may end this statement of work by giving 30 days' written notice.\n"
            "2. For breach. Either party may end it at once by written notice if the other commits a material "
            "breach and does not remedy it within 14 days of being asked to, or becomes insolvent.\n"
            "3. Payment. On termination the client pays for the work done up to the termination date, for "
            "expenses already committed, and, on fixed pricing, for each milestone completed or in progress in "
            "proportion to the work done on it.\n"
            "4. Handover. We hand over the deliverables and work in progress paid for, and the client's data, "
            "within ten working days of termination.\n"
            "5. What continues. The clauses on intellectual property, data protection, confidentiality and payment "
            "continue after termination."
        ),
    ),
)


def starter_text(clause: StarterClause) -> str:
    """The text stored as version 1: the wording, then the review note."""
    return f"{clause.text}\n\n{REVIEW_NOTE}"
