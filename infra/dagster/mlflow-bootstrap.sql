-- MLflow's own database and role on the platform's PostgreSQL (the tracking store and model
-- registry; MLflow creates and migrates its tables itself). Run once per environment with psql
-- as the master user, connected to the Dagster database, like postgres-bootstrap.sql:
--
--   psql "host=<database_address> dbname=dagster user=<master user> sslmode=verify-full sslrootcert=<RDS CA bundle>" \
--        -v mlflow_user=mlflow_app -f infra/dagster/mlflow-bootstrap.sql
--
-- \password prompts for the role's password (put the same one into the mlflow-tracking-uri
-- secret's URI), so it reaches neither the server log nor psql's history.

\set ON_ERROR_STOP on

\if :{?mlflow_user}
\else
  do $$ begin raise exception 'set the role name: psql ... -v mlflow_user=mlflow_app'; end $$;
\endif

select not exists (select from pg_roles where rolname = :'mlflow_user') as create_role \gset
\if :create_role
  create role :"mlflow_user" login nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
\endif

select not exists (select from pg_database where datname = 'mlflow') as create_db \gset
\if :create_db
  create database mlflow owner :"mlflow_user";
\endif
revoke all on database mlflow from public;

\password :mlflow_user
