from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

# The account that commands, command-line imports, demo seeding and periodic jobs act as
# (users.services.system_user): it never signs in.
SYSTEM_EMAIL = "system@localhost.invalid"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in (by e-mail). What they may see comes from their RoleAssignment rows."""

    class NotificationFrequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")
        NONE = "none", _("No e-mail")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("full name"), max_length=100, blank=True)
    notification_frequency = models.CharField(
        _("e-mail notifications"),
        max_length=10,
        choices=NotificationFrequency.choices,
        default=NotificationFrequency.IMMEDIATE,
    )
    language = models.CharField(
        _("language"), max_length=10, default="zh-hans", choices=[("zh-hans", "简体中文"), ("en", "English")]
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        if self.is_system:
            return str(_("system"))  # in history and "recorded by" columns, in the reader's language
        return self.name or self.email

    @property
    def is_system(self) -> bool:
        return self.email == SYSTEM_EMAIL

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email
