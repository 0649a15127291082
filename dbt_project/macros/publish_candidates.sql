{#-
  Write-audit-publish, the publish step; run on-run-end (dbt_project.yml). Every mart built in
  this run staged a candidate (materializations/external.sql); each one whose model succeeded
  and none of whose tests failed or errored is published, one Delta commit per mart (the
  window's days for a partitioned mart built for a window, else the whole table).
  A mart with a failing error-severity test keeps its published version; its candidate stays
  at <root>/_staging/gold/<mart> until the next build of that mart. Warn-severity
  failures do not block. dbt has already skipped the marts downstream of a failing test.
  `dbt run` runs no tests, so it publishes every mart it builds.
-#}
{% macro publish_candidates(results) -%}
  {%- if execute -%}
    {%- set failing = {} -%}
    {%- for result in results if result.node.resource_type == 'test'
          and result.status in ('fail', 'error') -%}
      {%- set attached = result.node.attached_node if result.node.attached_node is defined
            else none -%}
      {%- for model_id in ([attached] if attached else result.node.depends_on.nodes) -%}
        {%- do failing.setdefault(model_id, []).append(
              result.node.name ~ ' (' ~ (result.failures or 0) ~ ' row(s))') -%}
      {%- endfor -%}
    {%- endfor -%}
    {%- for result in results if result.node.resource_type == 'model'
          and result.node.config.materialized == 'external' and result.status == 'success' -%}
      {%- set node = result.node -%}
      {%- set candidate = gold_candidate_location(node.alias) -%}
      {%- if node.unique_id in failing -%}
        {%- do log("not published " ~ gold_location(node.alias) ~ ": failing tests "
              ~ failing[node.unique_id] | join(', ') ~ "; the candidate is kept at "
              ~ candidate, info=true) -%}
      {%- else -%}
        {%- set partition_by = (node.config.meta or {}).get('delta', {}).get('partition_by') -%}
        {%- set relation = api.Relation.create(
              database=node.database, schema=node.schema, identifier=node.alias, type='view') -%}
        {%- do adapter.store_relation(
              delta_plugin(), relation, [], gold_location(node.alias), 'delta', {
                'delta_action': 'publish',
                'candidate': candidate,
                'partition_by': partition_by,
              }) -%}
        {%- do log("published " ~ gold_location(node.alias), info=true) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}

{% macro discard_candidates() -%}
  {#- Run on-run-start: drop the candidates of the marts this run builds, so a candidate left by
      an earlier blocked build is never read or published by this one. -#}
  {%- if execute -%}
    {%- for node_id in selected_resources -%}
      {%- set node = graph.nodes.get(node_id) -%}
      {%- if node is not none and node.resource_type == 'model'
            and node.config.materialized == 'external' -%}
        {%- set relation = api.Relation.create(
              database=node.database, schema=node.schema, identifier=node.alias, type='view') -%}
        {%- do adapter.store_relation(
              delta_plugin(), relation, [], gold_candidate_location(node.alias), 'delta',
              {'delta_action': 'discard'}) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}
