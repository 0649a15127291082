{% macro load_lakehouse_sources() -%}
  {#-
    Run on-run-start, after configure_lakehouse_run: resolve every lakehouse source the
    selected nodes read (through the ephemeral models they build on), so each is a view over its Delta
    table's Arrow dataset before any model runs. The plugin's sources are views, not copies (a
    model reads only its columns and its window's files); dbt-duckdb registers a view's data
    on every cursor opened after the view, so loading them here, before the models' cursors
    open, lets every model read them. The plugin keeps one snapshot of each table for the
    run: a model's own source() reads the same one.
  -#}
  {%- if execute -%}
    {%- set queue = [] -%}
    {%- for unique_id in selected_resources -%}
      {%- do queue.append(unique_id) -%}
    {%- endfor -%}
    {#- A for loop over a list sees what is appended to it: a walk up the dependencies. -#}
    {%- for unique_id in queue -%}
      {%- if unique_id in graph.sources -%}
        {%- set found = graph.sources[unique_id] -%}
        {%- if found.meta.get('plugin') == delta_plugin() -%}
          {%- do source(found.source_name, found.name) -%}
        {%- endif -%}
      {%- elif unique_id in graph.nodes -%}
        {%- set node = graph.nodes[unique_id] -%}
        {#- An upstream mart the run does not build is read from its Delta table
            (register_upstream_external_models), not from the sources it was built from. -#}
        {%- if unique_id in selected_resources or node.config.materialized == 'ephemeral' -%}
          {%- for upstream in node.depends_on.nodes if upstream not in queue -%}
            {%- do queue.append(upstream) -%}
          {%- endfor -%}
        {%- endif -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}
