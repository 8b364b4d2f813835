from mentoring.selectors.people import roles_of


def roles(request):
    """The current user's roles for navigation; computed lazily, once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    class LazyRoles:
        def __getattr__(self, name):
            return getattr(roles_of(user), name)

    return {"my_roles": LazyRoles()}
