{#-
  Overrides dbt-duckdb's `external` materialization for this project: write-audit-publish. The
  stock one has DuckDB COPY the model to a file (local only here: no httpfs) and hands that file
  to a plugin. Here the model is built as a DuckDB table and the delta_writer plugin
  (platform/lakehouse/gold/delta_writer.py) stages it as the mart's candidate, the Delta table
  <root>/_staging/gold/<model>; the published table <root>/gold/<model> is
  not touched here:
  - a mart with meta.delta.partition_by (a date column) built for a window of dates (the run's
    context, or the vars min_date/max_date by hand) stages only that window (every row must
    lie in it);
  - otherwise the candidate is the whole table.
  The model's relation then becomes a view over what the candidate would publish (for a window:
  the published days outside it plus the candidate), so the mart's tests and downstream refs in
  the same run read that. on-run-end (macros/publish_candidates.sql) publishes each candidate
  whose error-severity tests passed.
-#}
{% materialization external, adapter='duckdb', supported_languages=['sql'] %}
  {%- set location = gold_location(this.identifier) -%}
  {%- set candidate = gold_candidate_location(this.identifier) -%}
  {%- set partition_by = (config.get('meta') or {}).get('delta', {}).get('partition_by') -%}
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

  {%- set delta = {'partition_by': partition_by} -%}
  {% do adapter.store_relation(
        delta_plugin(), temp_relation, [], candidate, 'delta', dict(delta, delta_action='write')) %}
  {% do adapter.store_relation(
        delta_plugin(), target_relation, [], location, 'delta',
        dict(delta, delta_action='attach', candidate=candidate)) %}
  {{ drop_relation_if_exists(temp_relation) }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
