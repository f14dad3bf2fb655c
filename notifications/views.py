from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .models import Delivery


@login_required
def inbox(request):
    page = Paginator(
        Delivery.objects.filter(user=request.user).only("subject", "url", "created_at", "status", "read_at"),
        30,
    ).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def preferences(request):
    return render(request, "notifications/preferences.html", {})
