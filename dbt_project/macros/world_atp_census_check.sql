{#-
    The rows of a failing world ATP check for one trade flow: world ATP trade built from the
    flow's history (the sum of fct_atp_trade over real countries and groups: exports f.a.s., or
    general imports at customs value) against the Census published world total, country trade
    code 0007 "Advanced Technology Products" (EYR for exports, IYR for imports, millions of USD,
    Census "U.S. trade in goods by country"), within var world_atp_tolerance_usd (and
    world_atp_tolerance_usd_synthetic, 0 by default, for years of the SYNTHETIC sample,
    calibrated to the dollar), for every year whose history or list of the flow is loaded: a
    loaded year with no ATP rows fails (its total is 0), and so does a year without a published
    0007 total. A year that the loaded vintage of the country table holds only in part (its
    newest year, months_reported < 12) is never compared with an annual total. One row per
    failing year, with the file and record of the year's published 0007 row.
-#}
{% macro world_atp_census_check(trade_flow, history_model, concordance_model, census_total_column) -%}
with

atp_trade as (

    select * from {{ ref('fct_atp_trade') }} where trade_flow = '{{ trade_flow }}'

),

history as (

    select * from {{ ref(history_model) }}

),

concordance as (

    select * from {{ ref(concordance_model) }}

),

country_trade as (

    select * from {{ ref('stg_census__country_trade') }}

),

loaded_years as (

    select distinct year from history
    union
    select distinct year from concordance
    union
    select distinct year from atp_trade

),

fact_totals as (

    select
        year,
        sum(value_usd) as warehouse_world_atp_usd,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from atp_trade
    group by year

),

warehouse_totals as (

    select
        loaded_years.year,
        coalesce(fact_totals.warehouse_world_atp_usd, 0) as warehouse_world_atp_usd,
        coalesce(fact_totals.is_synthetic, false) as is_synthetic
    from loaded_years
    left join fact_totals
        on loaded_years.year = fact_totals.year

),

census_totals as (

    select
        year,
        {{ census_total_column }} as census_world_atp_usd,
        is_complete_year,
        source_file as census_source_file,
        source_record as census_source_record
    from country_trade
    where cty_code = '0007'

),

compared as (

    select
        warehouse_totals.year,
        '{{ trade_flow }}' as trade_flow,
        warehouse_totals.is_synthetic,
        warehouse_totals.warehouse_world_atp_usd,
        census_totals.census_world_atp_usd,
        warehouse_totals.warehouse_world_atp_usd - census_totals.census_world_atp_usd
            as difference_usd,
        census_totals.census_source_file,
        census_totals.census_source_record
    from warehouse_totals
    left join census_totals
        on warehouse_totals.year = census_totals.year
    where coalesce(census_totals.is_complete_year, true)
    {% if not var('world_atp_check_includes_synthetic', true) %}
        and not warehouse_totals.is_synthetic
    {% endif %}

)

select
    *,
    case
        when census_world_atp_usd is null then 'no published 0007 total for the year'
        when is_synthetic then 'difference exceeds world_atp_tolerance_usd_synthetic'
        else 'difference exceeds world_atp_tolerance_usd'
    end as failure_reason
from compared
where census_world_atp_usd is null
    or abs(difference_usd) > case
        when is_synthetic then {{ var('world_atp_tolerance_usd_synthetic') }}
        else {{ var('world_atp_tolerance_usd') }}
    end
{%- endmacro %}
