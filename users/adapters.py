from allauth.account.adapter import DefaultAccountAdapter


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the office above or by import, never by public sign-up."""

    def is_open_for_signup(self, request):
        return False
