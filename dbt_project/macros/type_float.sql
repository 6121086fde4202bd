{#-
    dbt's cross-database float type, {{ dbt.type_float() }}, made an 8-byte double on the engines
    whose generic `float` is 4 bytes. dbt renders `float`, which DuckDB reads as FLOAT = REAL and
    Spark as FloatType, both single precision; every share, growth rate and index of the marts is
    a double precision number (as `float` is in Postgres). The root project's
    <adapter>__type_float takes precedence over dbt's own: adapter.dispatch searches the root
    project first for macros of the `dbt` namespace. spark__type_float serves the `spark` target
    (docs/scale.md; tests/test_spark.py builds on it).
-#}
{% macro duckdb__type_float() -%}
    double
{%- endmacro %}

{% macro spark__type_float() -%}
    double
{%- endmacro %}
