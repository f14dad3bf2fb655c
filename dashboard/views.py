from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from branches.selectors import scope_for


@login_required
def home(request):
    scope = scope_for(request.user)
    organizations = scope.organizations().order_by("depth", "path")[:1]
    return render(request, "dashboard/home.html", {"top_organization": organizations.first()})
