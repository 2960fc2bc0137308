"""The appraisal API: serializers and viewsets, one module a resource."""
