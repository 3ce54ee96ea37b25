from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from ecosystem.accounts.selectors import memberships_of_user


def portal(request) -> dict:
    """Navigation context: the current tenant and membership, and (lazily) the tenant switcher."""
    user = getattr(request, "user", None)
    context = {
        "tenant": getattr(request, "tenant", None),
        "membership": getattr(request, "membership", None),
        "portal": getattr(request, "portal", None),
    }
    if user is not None and user.is_authenticated:
        context["my_memberships"] = SimpleLazyObject(lambda: memberships_of_user(user=user))
    return context
