#!/bin/sh
# Runs once, when the postgres container initialises an empty volume: creates the role that web,
# worker and beat log in as, and the platform role that all_tenants() reads through on a connection of
# its own. Neither owns a table or can bypass row-level security, and the app role is not a member of
# the platform role; their privileges and the platform role's policy are applied by `manage.py migrate`
# (collab/rls.py), which the migrate service runs as the owner. For an existing database, run the same
# statements by hand.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_user="${DATABASE_APP_USER:-collab_app}" -v app_password="$DATABASE_APP_PASSWORD" \
  -v platform_user="${DATABASE_PLATFORM_USER:-collab_platform}" \
  -v platform_password="$DATABASE_PLATFORM_PASSWORD" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE ROLE :"platform_user" LOGIN PASSWORD :'platform_password'
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
SQL
