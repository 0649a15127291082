{#-
  Overrides dbt-duckdb's `external` materialization for this project. The stock one has DuckDB
  COPY the model to a file (local only here: no httpfs) and hands that file to a plugin. Here
  the model is built as a DuckDB table and the delta_writer plugin
  (platform/lakehouse/gold/delta_writer.py) writes it straight to <LAKEHOUSE_ROOT>/gold/<model>:
  - a mart with meta.delta.partition_by (a date column) built with the vars min_date/max_date
    replaces only that window of dates (every row must lie in it);
  - otherwise the whole Delta table is replaced.
  The model's relation then becomes a view over the Delta table, so downstream refs in the same
  run read the complete table, not only the rebuilt window.
-#}
{% materialization external, adapter='duckdb', supported_languages=['sql'] %}
  {%- set location = gold_location(this.identifier) -%}
  {%- set partition_by = (config.get('meta') or {}).get('delta', {}).get('partition_by') -%}
  {%- set window = partition_window() if partition_by else none -%}
  {%- set target_relation = this.incorporate(type='view') -%}
  {%- set temp_relation = make_intermediate_relation(
        this.incorporate(type='table'), suffix='__dbt_tmp') -%}
  {{ drop_relation_if_exists(load_cached_relation(temp_relation)) }}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('main') -%}
    {{ create_table_as(False, temp_relation, compiled_code) }}
  {%- endcall %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}

  {%- set write = {
        'delta_action': 'write',
        'partition_by': partition_by,
        'min_date': window[0] if window else none,
        'max_date': window[1] if window else none,
  } -%}
  {% do adapter.store_relation(delta_plugin(), temp_relation, [], location, 'delta', write) %}
  {% do adapter.store_relation(
        delta_plugin(), target_relation, [], location, 'delta', {'delta_action': 'attach'}) %}
  {{ drop_relation_if_exists(temp_relation) }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
