{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_exports'}}}) }}

-- World ATP exports built from the export history (sum of fct_atp_exports over real
-- countries and groups) must equal the Census published world total, country trade code
-- 0007 "Advanced Technology Products" (EYR, millions of USD, Census "U.S. trade in goods by
-- country"), within var world_atp_tolerance_usd (world_atp_tolerance_usd_synthetic, 0 by
-- default, for years of the SYNTHETIC sample, calibrated to the dollar), for every year whose
-- export history or concordance is loaded: a loaded year with no ATP rows in the fact fails
-- (its total is 0), and so does a year without a published 0007 total. A year that the loaded
-- vintage of the country table holds only in part (its newest year, months_reported < 12) is
-- not compared with an annual total; warn_world_atp_years_not_compared names it. Returns one
-- row per failing year, with the file and record of the year's published 0007 row.

with

atp_exports as (

    select * from {{ ref('fct_atp_exports') }}

),

export_history as (

    select * from {{ ref('stg_census__export_history') }}

),

concordance as (

    select * from {{ ref('stg_census__atp_concordance') }}

),

country_trade as (

    select * from {{ ref('stg_census__country_trade') }}

),

loaded_years as (

    select distinct year from export_history
    union
    select distinct year from concordance
    union
    select distinct year from atp_exports

),

fact_totals as (

    select
        year,
        sum(export_value_usd) as warehouse_world_atp_usd,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from atp_exports
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
        exports_total_usd as census_world_atp_usd,
        is_complete_year,
        source_file as census_source_file,
        source_record as census_source_record
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
