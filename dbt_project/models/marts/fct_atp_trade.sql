-- U.S. ATP trade by flow, country and ATP group, as published (each flow and year classified by
-- its own list): exports f.a.s. to the country of destination (domestic + foreign), imports
-- general imports at customs value from the country of origin. One row per flow x year x
-- country x ATP group with trade.

{{ config(**year_incremental_config()) }}

with

trade_classified as (

    select * from {{ ref('int_atp_trade_classified') }} where {{ only_refreshed_years() }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

trade_by_group as (

    select
        trade_flow,
        year,
        cty_code,
        hitech_code,
        -- a country's name can only change between years, never within one year's list
        max(cty_name) as cty_name,
        sum(value_usd) as value_usd,
        sum(domestic_value_usd) as domestic_value_usd,
        sum(foreign_value_usd) as foreign_value_usd,
        sum(consumption_value_usd) as consumption_value_usd,
        count(distinct hs10_code) as hs10_code_count,
        sum(source_record_count) as source_record_count,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from trade_classified
    group by trade_flow, year, cty_code, hitech_code

)

select
    -- ids
    trade_by_group.year,
    trade_by_group.trade_flow,
    trade_by_group.cty_code,
    trade_by_group.hitech_code,

    -- attributes
    trade_by_group.cty_name,
    atp_groups.group_name,

    -- measures (whole USD): value_usd is exports f.a.s. or general imports at customs value; the
    -- DF split is for exports only (null for imports), the consumption value for imports only
    cast(trade_by_group.value_usd as {{ dbt.type_bigint() }}) as value_usd,
    cast(trade_by_group.domestic_value_usd as {{ dbt.type_bigint() }}) as domestic_value_usd,
    cast(trade_by_group.foreign_value_usd as {{ dbt.type_bigint() }}) as foreign_value_usd,
    cast(trade_by_group.consumption_value_usd as {{ dbt.type_bigint() }}) as consumption_value_usd,
    trade_by_group.hs10_code_count,
    cast(trade_by_group.source_record_count as {{ dbt.type_bigint() }}) as source_record_count,

    -- flags
    trade_by_group.is_synthetic
from trade_by_group
left join atp_groups
    on trade_by_group.hitech_code = atp_groups.hitech_code
