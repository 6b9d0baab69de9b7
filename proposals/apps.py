from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    """The engagement a scope is sold with: phases, milestones, deliverables, team, fees and terms."""

    name = "proposals"
    verbose_name = "Proposals"
