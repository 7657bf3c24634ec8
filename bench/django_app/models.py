"""The lead of bench/projects.py as a Django model: the same ten fields, the same system
columns (owner, created_by, timestamps, version, state, soft delete) and the same rule."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

SOURCES = [("web", "web"), ("phone", "phone"), ("referral", "referral"), ("expo", "expo")]


class Lead(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True, null=True, blank=True)
    phone = models.CharField(
        max_length=255, null=True, blank=True,
        validators=[RegexValidator(r"^[0-9 +\-().]*$", "Not a telephone number")],
    )
    source = models.CharField(max_length=20, choices=SOURCES, null=True, blank=True)
    referrer = models.CharField(max_length=200, null=True, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0)])
    probability = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    company = models.CharField(max_length=200, null=True, blank=True)
    city = models.CharField(max_length=100, null=True, blank=True)
    expected_close = models.DateField(null=True, blank=True)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.IntegerField(default=1)
    state = models.CharField(max_length=30, default="new")
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "leads"

    def clean(self) -> None:
        if self.source == "referral" and not self.referrer:
            raise ValidationError({"referrer": "Referral leads need a referrer"})
