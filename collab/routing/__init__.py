"""The API's shared machinery, one module per job.

`viewsets`: tenant resolution and permissions that subclasses cannot override (`TenantViewSet`).
`ids`: the one parser of ids from untrusted input. `fields`: serializer fields and body helpers
(foreign keys, nested rows, `lock_version`, strict writes). `errors`: the exception handler and the 404
page. `schema`: the OpenAPI schema class and the documented error responses.
"""
