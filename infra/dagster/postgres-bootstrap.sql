-- The Dagster instance's own PostgreSQL role, so that no task connects as the RDS master user.
-- Run once per environment with psql, as the master user, connected to the Dagster database
-- (infra/README.md, "The Dagster database role"); running it again changes nothing but the
-- password, which is how that password is rotated.
--
--   psql "host=<database_address> dbname=dagster user=<master user> sslmode=verify-full sslrootcert=<RDS CA bundle>" \
--        -v app_user=dagster_app -f infra/dagster/postgres-bootstrap.sql
--
-- The role may log in and own the Dagster tables in this database's public schema (Dagster
-- creates and migrates them itself), nothing more: no superuser, no CREATEROLE, no CREATEDB, no
-- replication, no other database. The password is never typed into SQL: \password at the end
-- prompts for it (paste the `password` of the dagster-database secret) and sends only its
-- SCRAM hash, so it reaches neither the server log (log_statement = ddl) nor psql's history.

\set ON_ERROR_STOP on

\if :{?app_user}
\else
  do $$ begin raise exception 'set the role name: psql ... -v app_user=dagster_app (the database module''s dagster_username)'; end $$;
\endif

select not exists (select from pg_roles where rolname = :'app_user') as create_role \gset
\if :create_role
  create role :"app_user" login nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
\else
  -- (only a superuser may change the other attributes, and only a superuser could have set them)
  alter role :"app_user" login nocreatedb nocreaterole;
\endif

-- The master user administers the role's objects (and hands it the tables below) through
-- membership; the role itself is a member of nothing.
grant :"app_user" to current_user;

grant connect, temporary on database :"DBNAME" to :"app_user";
grant usage, create on schema public to :"app_user";

-- Deployments whose Dagster ran as the master user: hand the existing tables (with their
-- sequences and indexes) to the role, so Dagster can still migrate them.
select format('alter table public.%I owner to %I', tablename, :'app_user')
from pg_tables
where schemaname = 'public' and tableowner <> :'app_user'
\gexec

\password :app_user
