{#-
    dbt's cross-database float type, {{ dbt.type_float() }}, made an 8-byte double on the engines
    whose generic `float` is 4 bytes. dbt renders `float`, which DuckDB reads as FLOAT = REAL and
    Spark as FloatType, both single precision; every share, growth rate and index of the marts is
    a double precision number (as `float` is in Postgres). The root project's
    <adapter>__type_float takes precedence over dbt's own: adapter.dispatch searches the root
    project first for macros of the `dbt` namespace. (spark__type_float is not exercised here:
    no Spark adapter is installed.)
-#}
{% macro duckdb__type_float() -%}
    double
{%- endmacro %}

{% macro spark__type_float() -%}
    double
{%- endmacro %}
