"""Django validators for the consultancy profile: the logo rule of ``logos`` and the colour rule of ``colours``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

from consultancy import logos
from consultancy.colours import brand_colour_problem


def logo_max_bytes() -> int:
    return settings.LOGO_MAX_BYTES


def check_uploaded_logo(upload) -> logos.CheckedLogo:
    """The checked logo of an uploaded file; raises ``ValidationError`` with the refusal's sentence."""
    try:
        return logos.logo_check_stream(upload, size=getattr(upload, "size", None), max_bytes=logo_max_bytes())
    except logos.LogoRefused as refusal:
        raise ValidationError(refusal.message, code=refusal.code) from refusal


def validate_logo(value) -> None:
    """Model-field validator: a newly uploaded logo must pass ``logos.logo_check``.

    A logo already in storage passed when it was uploaded and is checked again whenever the PDF embeds it, so
    saving the profile for another change does not read it back.
    """
    if getattr(value, "_committed", False):
        return
    check_uploaded_logo(getattr(value, "file", value))


def validate_brand_colour(value: str) -> None:
    problem = brand_colour_problem(value)
    if problem:
        raise ValidationError(problem, code="brand_colour")
