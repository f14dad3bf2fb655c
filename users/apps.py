from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = _("Users")

    def ready(self):
        from allauth.account.signals import password_reset

        password_reset.connect(_password_reset_confirms_email, dispatch_uid="users.password_reset_confirms")


def _password_reset_confirms_email(sender, request, user, **kwargs):
    """The set-password link of an invitation or a reset went to the account's address: it is confirmed."""
    from .services import user_email_confirm

    user_email_confirm(user=user)
