{#- Where a run reads and writes: the lakehouse root of the run's context, known at run time only
    (platform/lakehouse/gold/run_context.py). Locations handed to the plugin are table keys
    under that root, so nothing the parser sees depends on the root or the window. -#}

{% macro delta_plugin() -%}
  {#- The alias of the lakehouse.gold.delta_writer plugin in profiles.yml. -#}
  {{- return('lakehouse') -}}
{%- endmacro %}

{% macro gold_location(identifier) -%}
  {#- The key of a mart's Delta table: <root>/gold/<identifier>. -#}
  {{- return('gold/' ~ identifier) -}}
{%- endmacro %}

{% macro gold_candidate_location(identifier) -%}
  {#- Where a build stages a mart's candidate until its tests pass: <root>/_staging/gold/<identifier>
      (lakehouse.lake.wap.staging_key). A blocked candidate stays there for inspection. -#}
  {{- return('_staging/gold/' ~ identifier) -}}
{%- endmacro %}

{% macro configure_lakehouse_run() -%}
  {#-
    Run on-run-start, first: hand the run's context to the plugin. Dagster writes it to
    <target path>/lakehouse_run.json (no vars, so the parsed manifest stays valid across
    windows); by hand, the vars lakehouse_root / min_date / max_date or LAKEHOUSE_ROOT give it.
    Fails the run when there is no root.
  -#}
  {%- if execute -%}
    {%- set relation = api.Relation.create(identifier='lakehouse_run', type='table') -%}
    {%- do adapter.store_relation(
          delta_plugin(), relation, [], (flags.TARGET_PATH or 'target') ~ '/lakehouse_run.json',
          'json', {
            'delta_action': 'configure',
            'root': var('lakehouse_root', none) or env_var('LAKEHOUSE_ROOT', ''),
            'min_date': date_var('min_date'),
            'max_date': date_var('max_date'),
          }) -%}
  {%- endif -%}
{%- endmacro %}
