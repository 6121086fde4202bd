-- U.S. ATP trade by flow and country under each definition: as published (each flow and year by
-- its own list) and fixed (every year by the flow's base-year list, carried across code changes
-- by code families). Exports f.a.s., imports general imports at customs value.

{{ config(**year_incremental_config()) }}

with

trade_by_definition as (

    select * from {{ ref('int_trade_by_definition') }} where {{ only_refreshed_years() }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

by_group as (

    select
        trade_flow,
        year,
        cty_code,
        hitech_code,
        definition,
        max(cty_name) as cty_name,
        sum(value_usd) as value_usd,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from trade_by_definition
    group by trade_flow, year, cty_code, hitech_code, definition

)

select
    -- ids
    by_group.year,
    by_group.trade_flow,
    by_group.cty_code,
    by_group.hitech_code,
    by_group.definition,

    -- attributes
    by_group.cty_name,
    atp_groups.group_name,

    -- measures (whole USD)
    cast(by_group.value_usd as {{ dbt.type_bigint() }}) as value_usd,

    -- flags
    by_group.is_synthetic
from by_group
left join atp_groups on by_group.hitech_code = atp_groups.hitech_code
