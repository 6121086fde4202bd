{#-
    Year-incremental models: a model whose rows of a year depend only on that year's inputs
    (the year's history records, lists, country list, and the cross-year classifications that a
    full rebuild would give the same) rebuilds only the years the run loaded (var
    refresh_years), deleting those years' rows and inserting them again (strategy
    delete+insert keyed by year). With refresh_years empty, on a first build, or with dbt
    --full-refresh, the model is built in full. Which models are year-incremental and why:
    docs/incremental.md.

    year_incremental_config()   the config of such a model (call it in {{ config(...) }}); on
                                Spark (the `spark` target, docs/scale.md) such a model is a table
                                built in full: Spark on plain Parquet has no delete+insert, and
                                its build is of the whole Parquet raw layer in one dbt process;
    refreshing_years()          true when this build of the model rebuilds some years only;
    only_refreshed_years(column='year')
                                a where-condition keeping the rows of the refreshed years (true
                                when the model is built in full): use it in the model's first CTEs.
-#}
{% macro year_incremental_config() -%}
    {{ return(adapter.dispatch('year_incremental_config')()) }}
{%- endmacro %}

{% macro default__year_incremental_config() -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': 'year'}) }}
{%- endmacro %}

{% macro spark__year_incremental_config() -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{% macro refreshing_years() -%}
    {#- a unit test renders a model without a relation of its own: built in full there -#}
    {%- if this is none or (var('refresh_years', []) | length) == 0 -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(is_incremental()) }}
{%- endmacro %}

{% macro only_refreshed_years(column='year') -%}
    {%- if refreshing_years() -%}
        {{ column }} in ({{ var('refresh_years') | map('int') | join(', ') }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
