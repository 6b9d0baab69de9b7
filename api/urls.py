from django.urls import path

from api import views
from api.routes import api

page_urlpatterns = [
    path("", views.tokens, name="api_tokens"),
    path("<int:token_id>/revoke/", views.token_revoke_view, name="api_token_revoke"),
]

api_urlpatterns = api.urls
