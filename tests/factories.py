"""factory_boy factories for the whole suite."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from scoping.models import Client, ClientParticipant, DiscoveryProject, ProjectMember

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = "consultant"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n} Ltd")
    industry = "Manufacturing"


class ClientUserFactory(UserFactory):
    role = "client"
    client = factory.SubFactory(ClientFactory)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscoveryProject
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    lead_consultant = factory.SubFactory(UserFactory)
    currency = "EUR"

    @factory.post_generation
    def sections(self, create, extracted, **kwargs):
        if create:
            from scoping.projects.scope_io import ensure_sections

            ensure_sections(self)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMember

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientParticipant

    project = factory.SubFactory(ProjectFactory)
    user = factory.LazyAttribute(lambda p: ClientUserFactory(client=p.project.client))
    can_edit = True
    is_signatory = True
