{#-
    The relation a data test reads (dbt calls this macro for the model of every generic test;
    this project's version overrides dbt's). Besides a test's own `where` config, the tests of
    the per-year record models (var year_tested_models: the export and import history records,
    the lists per year, the codes missing from a year's list) read only the years a
    year-incremental build refreshes (var refresh_years; every year in a full build): the rows of
    the other years were tested when they were built, and nothing they depend on has changed
    since (a change of models, tests, settings or code-change files makes the build a full one:
    docs/incremental.md). So a one-year refresh tests its year's millions of records, not
    every year's.

    refreshed_years_tested(column='year')   the same filter for a singular test's CTE.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if relation.identifier in var('year_tested_models', []) and refreshed_years_tested() != 'true' -%}
        {%- do conditions.append(refreshed_years_tested()) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) as dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro refreshed_years_tested(column='year') -%}
    {%- set years = var('refresh_years', []) -%}
    {%- if (years | length) == 0 or flags.FULL_REFRESH -%}
        {{ return('true') }}
    {%- endif -%}
    {{ return(column ~ ' in (' ~ (years | map('int') | join(', ')) ~ ')') }}
{%- endmacro %}
