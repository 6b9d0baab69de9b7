"""Log in with a username or an e-mail address: invited stakeholders know their e-mail, not a username."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = get_user_model().objects.filter(email__iexact=username.strip()).only("username").first()
            if user is None:
                # Run the hasher anyway so an unknown address takes as long as a wrong password.
                get_user_model()().set_password(password)
                return None
            username = user.username
        return super().authenticate(request, username=username, password=password, **kwargs)
