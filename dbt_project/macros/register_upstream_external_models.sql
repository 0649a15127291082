{#-
  Overrides dbt-duckdb's macro of the same name; run on-run-start (dbt_project.yml).
  DuckDB is in memory, so a mart that a selected node depends on but that is not selected
  itself (`dbt build --select customer_churn_features`) exists only as its Delta table. Each
  such mart is attached as a view over that table's Arrow dataset by the delta_writer plugin
  (the stock macro would read a file at the model's location). Ephemeral models are looked
  through. A missing Delta table fails the run here, naming the table.
-#}
{% macro register_upstream_external_models() -%}
  {%- if execute -%}
    {%- set visited = [] -%}
    {%- for node_id in selected_resources -%}
      {%- set node = graph.nodes.get(node_id) -%}
      {%- if node is not none -%}
        {%- do attach_external_models(node.depends_on.nodes, visited) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}

{% macro attach_external_models(node_ids, visited) -%}
  {%- for node_id in node_ids if node_id not in selected_resources and node_id not in visited -%}
    {%- do visited.append(node_id) -%}
    {%- set node = graph.nodes.get(node_id) -%}
    {%- if node is not none and node.resource_type == 'model' -%}
      {%- if node.config.materialized == 'ephemeral' -%}
        {%- do attach_external_models(node.depends_on.nodes, visited) -%}
      {%- elif node.config.materialized == 'external' -%}
        {%- set relation = api.Relation.create(
              database=node.database, schema=node.schema, identifier=node.alias, type='view') -%}
        {%- do log("attaching " ~ relation ~ " from " ~ gold_location(node.alias), info=true) -%}
        {%- do adapter.store_relation(
              delta_plugin(), relation, [], gold_location(node.alias), 'delta',
              {'delta_action': 'attach'}) -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}
