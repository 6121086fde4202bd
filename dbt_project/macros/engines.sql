{#-
    What differs between the engines the models build on (DuckDB, the default, and Spark: the
    `spark` target of profiles.yml, docs/scale.md), each an adapter.dispatch macro so that no
    model checks which engine it runs on.

    source(source_name, table_name)
        dbt's source(), overridden: the relation of a raw table. On DuckDB the table (or year
        store view) of schema `raw` in the warehouse file, as dbt's own source() gives it. On
        Spark the table's folder of the Parquet raw layer (orchestration/census/raw_layer.py:
        <table>/<year>.parquet, all.parquet or empty.parquet, each with the raw table's columns
        and types), read as `parquet.`<folder>``: the layer's root is $ATP_PARQUET_DIR, else
        ../warehouse/parquet relative to the directory dbt runs in (as the DuckDB file of the
        profile). dbt's own source() still records the dependency (lineage, docs).

    sorted_listagg(measure, delimiter)
        The string aggregate of `measure` (a string column) in ascending string
        order, NULL for a group without a non-null value. dbt.listagg on DuckDB; on Spark
        dbt-spark's listagg ignores its order-by clause and gives '' for an all-null group, so
        Spark sorts the collected list itself (and gives NULL, where DuckDB gives '', for a group
        whose only values are empty strings: no model aggregates empty strings).
-#}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {{ return(adapter.dispatch('source_relation')(relation, table_name)) }}
{%- endmacro %}

{% macro default__source_relation(relation, table_name) -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro spark__source_relation(relation, table_name) -%}
    {%- set root = env_var('ATP_PARQUET_DIR', '../warehouse/parquet') | replace('`', '') -%}
    {{ return('parquet.`' ~ root.rstrip('/') ~ '/' ~ table_name ~ '`') }}
{%- endmacro %}

{% macro sorted_listagg(measure, delimiter) -%}
    {{ return(adapter.dispatch('sorted_listagg')(measure, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_listagg(measure, delimiter) -%}
    {{ dbt.listagg(measure, delimiter, 'order by ' ~ measure) }}
{%- endmacro %}

{% macro spark__sorted_listagg(measure, delimiter) -%}
    nullif(array_join(array_sort(collect_list({{ measure }})), {{ delimiter }}), '')
{%- endmacro %}

{#-
    cte_materialized()
        The keyword that makes DuckDB compute a CTE once, as written, before the query that reads
        it ('materialized'); nothing on other engines. int_hs10_code_families chains one CTE per
        round of label propagation: inlined, DuckDB 1.5's filter pushdown takes time exponential
        in the depth of the chain to plan it (2.7 s at 18 rounds, minutes at 24), materialized
        milliseconds.
-#}
{% macro cte_materialized() -%}
    {{ return(adapter.dispatch('cte_materialized')()) }}
{%- endmacro %}

{% macro default__cte_materialized() -%}
{%- endmacro %}

{% macro duckdb__cte_materialized() -%}
    materialized
{%- endmacro %}
