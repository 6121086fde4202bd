{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_exports'}}}) }}

-- World ATP exports built from the export history (sum of fct_atp_exports over real
-- countries and groups) must equal the Census published world total, country trade code
-- 0007 "Advance Technology Products" (EYR, millions of USD; DOMAIN.md section 2a), within
-- var world_atp_tolerance_usd, for every year in fct_atp_exports. A year without a
-- published 0007 total fails too. Returns one row per failing year.

with

atp_exports as (

    select * from {{ ref('fct_atp_exports') }}

),

country_trade as (

    select * from {{ ref('stg_census__country_trade') }}

),

warehouse_totals as (

    select
        year,
        sum(export_value_usd) as warehouse_world_atp_usd,
        bool_or(is_synthetic) as is_synthetic
    from atp_exports
    group by year

),

census_totals as (

    select
        year,
        exports_total_usd as census_world_atp_usd
    from country_trade
    where cty_code = '0007'

),

compared as (

    select
        warehouse_totals.year,
        warehouse_totals.is_synthetic,
        warehouse_totals.warehouse_world_atp_usd,
        census_totals.census_world_atp_usd,
        warehouse_totals.warehouse_world_atp_usd - census_totals.census_world_atp_usd
            as difference_usd
    from warehouse_totals
    left join census_totals
        on warehouse_totals.year = census_totals.year
    {% if not var('world_atp_check_includes_synthetic', true) %}
    where not warehouse_totals.is_synthetic
    {% endif %}

)

select
    *,
    case
        when census_world_atp_usd is null then 'no published 0007 total for the year'
        else 'difference exceeds world_atp_tolerance_usd'
    end as failure_reason
from compared
where census_world_atp_usd is null
    or abs(difference_usd) > {{ var('world_atp_tolerance_usd') }}
