{#- Where the lakehouse lives: the var lakehouse_root (Dagster passes it), else the LAKEHOUSE_ROOT
    environment variable (a folder or s3:// URI) for dbt run by hand. -#}

{% macro delta_plugin() -%}
  {#- The alias of the lakehouse.gold.delta_writer plugin in profiles.yml. -#}
  {{- return('delta_writer') -}}
{%- endmacro %}

{% macro gold_location(identifier) -%}
  {#- The Delta table of a mart: <LAKEHOUSE_ROOT>/gold/<identifier> (profile external_root). -#}
  {{- return(adapter.external_root() ~ '/' ~ identifier) -}}
{%- endmacro %}

{% macro gold_candidate_location(identifier) -%}
  {#- Where a build stages a mart's candidate until its tests pass: <root>/_staging/gold/<identifier>
      (lakehouse.lake.wap.staging_key). A blocked candidate stays there for inspection. -#}
  {{- return(var('lakehouse_root', env_var('LAKEHOUSE_ROOT', '')).rstrip('/')
             ~ '/_staging/gold/' ~ identifier) -}}
{%- endmacro %}

{% macro check_lakehouse_root() -%}
  {#- Run on-run-start: parsing works without LAKEHOUSE_ROOT, running does not. -#}
  {%- if execute and var('lakehouse_root', env_var('LAKEHOUSE_ROOT', '')) | trim == '' -%}
    {{ exceptions.raise_compiler_error(
        "LAKEHOUSE_ROOT is not set: export the lakehouse root (a folder or s3:// URI, e.g. "
        ~ "LAKEHOUSE_ROOT=$PWD/.lakehouse/dev/$USER) before running dbt") }}
  {%- endif -%}
{%- endmacro %}
