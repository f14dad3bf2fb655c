"""Small helpers every app shares (forms, pagination, uploads). A plain package, not a Django app: no models,
no templates, no translatable strings of its own, and it imports no app, so any app may import it."""
