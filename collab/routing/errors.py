"""How errors answer: the API's one exception handler (400 field errors, 409 conflicts) and the 404 page.
"""

from __future__ import annotations

import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from collab.concurrency import Conflict, DatabaseBusy, is_transient_db_error

logger = logging.getLogger(__name__)


def not_found(request, exception=None):
    """The root URL configuration's 404: JSON under /api/ (an id that cannot be one, an unknown route),
    the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)


# --------------------------------------------------------------------------- service errors → API errors
def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as JSON field errors (Django's "__all__" becomes "non_field_errors")."""
    errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): [str(m) for m in messages]
        for key, messages in errors.items()
    }


def exception_handler(exc, context):
    """The one translator of service errors to API errors, used by every view.

    A service's ValidationError is a 400 with field errors, a `Conflict` (a stale edit) a 409 with who
    changed what and when, and database complaints about input are 400 or 409, never 500. A deadlock or
    serialisation failure that a service did not absorb (`collab.concurrency.atomic_with_retry` reruns
    whole services) is a 409 "try again". Views call services and let their errors through; they do not
    catch them.
    """
    if isinstance(exc, OperationalError) and is_transient_db_error(exc):
        logger.warning("Transient database failure answered 409: %s", exc)
        exc = DatabaseBusy()
    if isinstance(exc, Conflict):
        set_rollback()
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))
    elif isinstance(exc, DataError | OverflowError):
        logger.info("Rejected input the database could not take: %s", exc)
        set_rollback()
        return Response(
            {"detail": gettext("A value is out of range or malformed.")}, status=status.HTTP_400_BAD_REQUEST
        )
    elif isinstance(exc, IntegrityError):
        logger.info("Rejected write that broke a constraint: %s", exc)
        set_rollback()
        conflict = {"detail": gettext("This conflicts with existing data.")}
        return Response(conflict, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
