"""Django admin of the goals app: deliberately empty.

Platform staff manage tenants in the admin; they never browse a company's data (DESIGN.md §1). Goals,
KPIs, objectives and measurements are managed by each tenant's HR admins in the app, where every write
goes through the audited services.
"""
