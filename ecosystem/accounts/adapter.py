from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open: anyone may create an account; only invitations or a new program give access."""

    def get_login_redirect_url(self, request):
        from .views import PENDING_INVITATION

        return request.session.get(PENDING_INVITATION) or super().get_login_redirect_url(request)
