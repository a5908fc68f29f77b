"""Placeholder while the feature is written."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
