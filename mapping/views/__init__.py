"""Views of the mapping app, one module per feature (each declares its ``urlpatterns``)."""
