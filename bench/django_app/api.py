"""The DRF serializer and viewset a Django user would write for the lead."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers, viewsets

from bench.django_app.models import Lead


class LeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields: ClassVar[list[str]] = [
            "id", "name", "email", "phone", "source", "referrer", "value", "probability",
            "company", "city", "expected_close", "owner", "state", "version", "created_at",
            "updated_at",
        ]
        read_only_fields: ClassVar[list[str]] = [
            "id", "owner", "state", "version", "created_at", "updated_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("source") == "referral" and not attrs.get("referrer"):
            raise serializers.ValidationError({"referrer": "Referral leads need a referrer"})
        return attrs


class LeadViewSet(viewsets.ModelViewSet):
    """Leads; a user sees the leads they own (the row rule owner == current_user)."""

    serializer_class = LeadSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Lead.objects.filter(owner=self.request.user, deleted_at__isnull=True)

    def perform_create(self, serializer: LeadSerializer) -> None:
        serializer.save(owner=self.request.user, created_by=self.request.user)
