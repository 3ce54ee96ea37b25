"""The API's default filter backends: django-filter's (without its cost on requests that name no filter) and
an ordering filter that refuses what it does not know."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext as _
from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter


def _names_a_filter(filterset_class: type[FilterSet], params: Mapping[str, str]) -> bool:
    """Could the filter set change anything for these query parameters? True when in doubt."""
    if filterset_class.filter_queryset is not FilterSet.filter_queryset or filterset_class.qs is not FilterSet.qs:
        return True  # the filter set does something of its own even without parameters
    names = tuple(filterset_class.base_filters)
    if any(f.extra.get("required") for f in filterset_class.base_filters.values()):
        return True  # a required filter answers 400 when it is missing
    # Range and multi-widget filters read ``<name>_min``, ``<name>_after``, …: any parameter starting with a name.
    return any(param == name or param.startswith(f"{name}_") for param in params for name in names)


class ListFilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend``, returning the queryset as it is when no query parameter names a filter.

    Building a filter set deep-copies every filter and then its form fields (the partner list's country
    filter copies 250 choices twice): about 4 ms per request, more than the page's own query. With no
    filter named, the filter set would hand back the queryset unchanged (every filter skips an empty
    value, none is required, none overrides ``filter_queryset``/``qs``), so it is not built.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not _names_a_filter(filterset_class, request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _orders(queryset, path: str) -> bool:
    """Is ``path`` (``partner__name``) a column of the queryset's model, or one of its annotations?"""
    if path in queryset.query.annotations:
        return True
    model = queryset.model
    parts = path.split(LOOKUP_SEP)
    for index, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if index < len(parts) - 1:
            if not field.is_relation or field.related_model is None:
                return False
            model = field.related_model
        elif field.is_relation and (field.many_to_many or field.one_to_many):
            return False
    return True


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=``: an unknown field answers 400 ``invalid_ordering`` on ``ordering``, never a silent default."""

    def get_valid_fields(self, queryset, view, context=None):
        if getattr(view, "ordering_fields", self.ordering_fields) is not None:
            return super().get_valid_fields(queryset, view, context)
        # A view that has not chosen its orderings offers its natural order, both ways: the columns its
        # cursor pages by (indexed with the tenant), never every serializer field (free text, arrays and
        # unindexed columns would sort whole tables). The internal integer id is left out.
        paginator = getattr(view, "paginator", None)
        natural = getattr(paginator, "ordering", None) or getattr(view, "ordering", None) or ()
        natural = (natural,) if isinstance(natural, str) else natural
        names = dict.fromkeys(term.removeprefix("-") for term in natural)
        return [(name, name) for name in names if name not in ("id", "pk") and _orders(queryset, name)]

    def get_default_valid_fields(self, queryset, view, context=None):
        # a view with neither ordering_fields nor a serializer_class (its list() picks serializers itself)
        # accepts no ?ordering=: every value is unknown (400), not an ImproperlyConfigured 500
        try:
            fields = super().get_default_valid_fields(queryset, view, context or {})
        except ImproperlyConfigured:
            return []
        # serializer fields that are not columns (values set in Python, SerializerMethodField sources)
        # would reach ORDER BY as a FieldError (500): only columns and the queryset's annotations order
        return [(name, label) for name, label in fields if _orders(queryset, name)]

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        try:
            queryset = view.get_queryset()
            names = sorted(name for name, _label in self.get_valid_fields(queryset, view, {"request": None}))
        except Exception:  # schema generation has no request: a view that needs one keeps the plain description
            return parameters
        for parameter in parameters:
            parameter["description"] = (
                f"Order by {', '.join(names) or 'nothing'} (comma-separated; prefix - for descending). "
                "An unknown field answers 400 invalid_ordering."
            )
        return parameters

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = {item[0] for item in self.get_valid_fields(queryset, view, {"request": request})}
        terms = [term for term in fields if term]
        unknown = [term for term in terms if term.removeprefix("-") not in valid]
        if unknown:
            detail = _("Unknown ordering: %(unknown)s. Order by one of: %(valid)s.") % {
                "unknown": ", ".join(unknown),
                "valid": ", ".join(sorted(valid)) or "-",
            }
            raise exceptions.ValidationError({self.ordering_param: [exceptions.ErrorDetail(detail, code="invalid_ordering")]})
        return terms


class OrderingChoices(StrictOrderingFilter):
    """``?ordering=`` checked (400 ``invalid_ordering``) and described in the schema, for a view whose
    paginator does the ordering (``KeyedCursorPagination.order_for`` maps the names). It orders nothing
    itself: the names it accepts are the paginator's, not columns of the view's queryset (which
    ``get_object`` filters too)."""

    def filter_queryset(self, request, queryset, view):
        return queryset
