#!/bin/sh
# Runs once, when the postgres container initialises an empty volume: creates the role that web,
# worker and beat log in as. It owns no table and cannot bypass row-level security; its privileges on
# the tables are granted by `manage.py migrate` (collab/rls.py), which the migrate service runs as
# the owner. For an existing database, run the same statement by hand.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_user="${DATABASE_APP_USER:-collab_app}" -v app_password="$DATABASE_APP_PASSWORD" <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
SQL
