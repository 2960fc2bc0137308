from collab.models import Role


def tenant_context(request):
    membership = getattr(request, "membership", None)
    roles = set(membership.roles) if membership else set()
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": membership,
        "roles": roles,
        "is_hr": Role.HR_ADMIN in roles,
        "is_auditor": Role.AUDITOR in roles,
        "can_configure": Role.HR_ADMIN in roles,
    }
